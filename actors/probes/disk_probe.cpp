// disk: free bytes and inodes of the file system holding a folder, how fast
// the used bytes grow, and whether the folder can be written at all (a volume
// remounted read-only after an I/O error, a mode or owner changed: room left
// is of no use then).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>

#include <sys/statvfs.h>
#include <unistd.h>

#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;
constexpr double mib = 1024.0 * 1024.0;

class disk_probe : public probe {
public:
  explicit disk_probe(const probe_config& cfg) : probe(cfg) {
    // nop
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    struct statvfs fs {};
    if (::statvfs(cfg.path.c_str(), &fs) != 0) {
      set_down(r, "statvfs " + cfg.path + ": " + std::strerror(errno));
      return;
    }
    auto total = static_cast<double>(fs.f_blocks) * fs.f_frsize;
    auto free_bytes = static_cast<double>(fs.f_bavail) * fs.f_frsize;
    auto used = total - static_cast<double>(fs.f_bfree) * fs.f_frsize;
    auto free_percent = total > 0 ? free_bytes * 100 / total : 0;
    r.values["total_bytes"] = total;
    r.values["free_bytes"] = free_bytes;
    r.values["free_percent"] = free_percent;
    r.values["free_inodes"] = static_cast<double>(fs.f_favail);
    auto growth = growth_mb_per_s(used);
    r.values["growth_mb_per_s"] = growth;
    auto where = " on " + cfg.path;
    // The kernel's answer for this process: EROFS on a read-only mount,
    // EACCES for a user the mode or owner shuts out.
    if (::access(cfg.path.c_str(), W_OK) != 0) {
      auto error = errno;
      r.values["write_errno"] = error;
      set_down(r, "cannot write in " + cfg.path + ": " + std::strerror(error));
    }
    if (free_bytes < static_cast<double>(cfg.min_free_mb) * mib || free_bytes <= 0)
      set_down(r, ms_text(free_bytes / mib) + " MiB free" + where + " (want "
                    + std::to_string(cfg.min_free_mb) + " MiB)");
    if (free_percent < cfg.min_free_percent)
      set_degraded(r, ms_text(free_percent) + "% free" + where);
    if (fs.f_files > 0 && static_cast<uint64_t>(fs.f_favail) < cfg.min_free_inodes)
      set_down(r, std::to_string(fs.f_favail) + " inodes free" + where);
    if (cfg.max_growth_mb_per_s > 0 && growth > cfg.max_growth_mb_per_s)
      set_degraded(r, "filling at " + ms_text(growth) + " MiB/s" + where);
    set_ok(r, ms_text(free_bytes / mib) + " MiB (" + ms_text(free_percent) + "%) free" + where);
  }

private:
  double growth_mb_per_s(double used) {
    auto now = clock_type::now();
    seen_.emplace_back(now, used);
    while (seen_.size() > 2 && now - seen_[1].first >= std::chrono::seconds(1))
      seen_.pop_front();
    auto dt = std::chrono::duration<double>(now - seen_.front().first).count();
    return dt < 0.05 ? 0 : (used - seen_.front().second) / mib / dt;
  }

  std::deque<std::pair<clock_type::time_point, double>> seen_;
};

} // namespace

probe_ptr make_disk_probe(const probe_config& cfg) {
  return std::make_unique<disk_probe>(cfg);
}

} // namespace vigil::probes
