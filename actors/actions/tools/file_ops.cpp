#include "actors/actions/tools/file_ops.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/actions/tool.hpp"

namespace vigil::actions {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw tool_failure(what + ": " + std::strerror(errno));
}

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

} // namespace

std::string read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    fail("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void write_atomically(const std::string& path, const std::string& text, mode_t mode) {
  // Unique per write: two threads may replace the same file at once.
  static std::atomic<uint64_t> writes{0};
  auto temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++writes);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    fail("create " + temp);
  auto cleanup = [&] {
    ::close(fd);
    ::unlink(temp.c_str());
  };
  // The umask may have narrowed the mode; make it exact.
  if (::fchmod(fd, mode) != 0) {
    auto saved = errno;
    cleanup();
    errno = saved;
    fail("chmod " + temp);
  }
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto saved = errno;
      cleanup();
      errno = saved;
      fail("write " + temp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto saved = errno;
    cleanup();
    errno = saved;
    fail("fsync " + temp);
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    fail("rename " + temp + " to " + path);
  }
  int dir_fd = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

} // namespace vigil::actions
