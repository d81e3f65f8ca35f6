#include "stack/shopd/receipt_store.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::shop {

namespace {

[[noreturn]] void fail(const std::string& what, int error_number) {
  auto reason = std::string{std::strerror(error_number)};
  throw receipt_error("cannot write receipt: " + reason, what + ": " + reason, error_number);
}

class fd_guard {
public:
  explicit fd_guard(int fd) : fd_(fd) {
    // nop
  }
  ~fd_guard() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }
  /// close() reports deferred write errors (e.g. on NFS); they count.
  int close() {
    auto rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

private:
  int fd_;
};

} // namespace

receipt_store::receipt_store(std::string dir) : dir_(std::move(dir)) {
  // nop
}

void receipt_store::prepare() const {
  auto parent = dir_.substr(0, dir_.rfind('/'));
  if (!parent.empty())
    ::mkdir(parent.c_str(), 0755);
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST)
    fail("mkdir " + dir_, errno);
}

std::string receipt_store::path_of(int64_t order_id) const {
  return dir_ + "/" + std::to_string(order_id) + ".json";
}

void receipt_store::write(int64_t order_id, const std::string& contents) const {
  auto path = path_of(order_id);
  // Order ids are never reused, so a plain create is enough; an existing
  // file is a leftover of an order that did not commit.
  fd_guard fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (fd.get() < 0)
    fail("open " + path, errno);
  size_t written = 0;
  while (written < contents.size()) {
    auto n = ::write(fd.get(), contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto error_number = errno;
      remove(order_id);
      fail("write " + path, error_number);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || fd.close() != 0) {
    auto error_number = errno;
    remove(order_id);
    fail("fsync " + path, error_number);
  }
  // The new folder entry must survive a crash as well as the data.
  fd_guard dir_fd{::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    auto error_number = errno;
    remove(order_id);
    fail("fsync " + dir_, error_number);
  }
}

void receipt_store::remove(int64_t order_id) const {
  ::unlink(path_of(order_id).c_str());
}

} // namespace vigil::shop
