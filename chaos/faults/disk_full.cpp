// disk_full: a runaway file fills the shop's size-limited data volume until
// writes get ENOSPC. Refuses volumes larger than max_fill_mb (a real disk).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class disk_full : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json&) override {
    auto& dir = ctx_.target.shopd.data_dir;
    struct statvfs fs {};
    if (dir.empty() || ::statvfs(dir.c_str(), &fs) != 0)
      throw fault_error("cannot stat the data volume '" + dir + "'");
    auto size_mb = fs.f_blocks * fs.f_frsize / (1024 * 1024);
    if (size_mb > ctx_.target.shopd.max_fill_mb)
      throw fault_error("the volume of " + dir + " has " + std::to_string(size_mb)
                        + " MiB, more than max_fill_mb (" + std::to_string(ctx_.target.shopd.max_fill_mb)
                        + "): refusing to fill what looks like a real disk");
    path_ = dir + "/.chaos-runaway.log";
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
      throw fault_error("cannot create " + path_ + ": " + std::strerror(errno));
    std::vector<char> chunk(1 << 20, 'x');
    size_t written = 0;
    int err = 0;
    for (;;) {
      auto n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0) {
        err = errno;
        break;
      }
      written += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < chunk.size()) {
        // A short write means the volume is full; one more write proves it.
        continue;
      }
    }
    ::fsync(fd);
    ::close(fd);
    if (err != ENOSPC) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
      path_.clear();
      throw fault_error("filling stopped with " + std::string{std::strerror(err)} + ", not ENOSPC");
    }
    return "wrote " + std::to_string(written / (1024 * 1024)) + " MiB to " + path_
           + " until ENOSPC";
  }

  std::string revert(bool) override {
    if (path_.empty())
      return "nothing to remove";
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    auto removed = path_;
    path_.clear();
    return "removed " + removed;
  }

private:
  std::string path_;
};

} // namespace

fault_ptr make_disk_full(const fault_context& ctx) {
  return std::make_unique<disk_full>(
    make_kind("disk_full", "disk_full", "safe", "shopd-data-volume",
              "A runaway file fills the shop's size-limited data volume until ENOSPC.",
              "Deletes the runaway file.", false, 60, {},
              {{"free_disk", ""}}),
    ctx);
}

} // namespace vigil::chaos
