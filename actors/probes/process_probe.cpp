// process: the service's process as the service manager's state file names
// it. Between checks it waits on a pidfd, so an exit shows within
// milliseconds instead of at the next poll.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/probes/kinds.hpp"
#include "actors/services/detail/proc.hpp"
#include "actors/services/state_file.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

std::string signal_text(int sig) {
  const char* name = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (name != nullptr ? std::string{" (SIG"} + name + ")"
                                                             : std::string{});
}

class process_probe : public probe {
public:
  explicit process_probe(const probe_config& cfg) : probe(cfg) {
    // nop
  }

  ~process_probe() override { forget_pidfd(); }

  bool watches() const override { return true; }

  void check(probe_result& r) override {
    auto& cfg = config();
    std::string problem;
    auto saved = services::read_state_file(cfg.state_file, problem);
    if (!problem.empty()) {
      set_down(r, "cannot read the state file: " + problem);
      return;
    }
    auto it = saved.find(cfg.service);
    if (it == saved.end()) {
      set_down(r, "no service " + cfg.service + " in " + cfg.state_file);
      return;
    }
    auto& st = it->second.status;
    auto& proc = it->second.process;
    r.values["restarts"] = st.restarts;
    r.values["signal"] = st.signal;
    r.values["exit_code"] = st.exit_code;
    r.values["oom_killed"] = st.oom_killed ? 1 : 0;
    if (st.state != "running" && st.state != "starting") {
      forget_pidfd();
      r.values["up"] = 0;
      set_down(r, cfg.service + " is " + st.state + ending(st.exit_code, st.signal, st.oom_killed)
                    + (st.detail.empty() ? "" : ": " + st.detail));
      return;
    }
    if (proc.pid == ended_pid_ && proc.start_ticks == ended_ticks_) {
      // Seen ending through the pidfd before the manager wrote it down.
      r.values["up"] = 0;
      set_down(r, cfg.service + " process " + std::to_string(proc.pid) + " ended" + ended_how_);
      return;
    }
    if (!services::detail::same_process_alive(proc.pid, proc.start_ticks)) {
      forget_pidfd();
      r.values["up"] = 0;
      set_down(r, cfg.service + " process " + std::to_string(proc.pid) + " is gone");
      return;
    }
    watch(proc.pid, proc.start_ticks);
    r.values["up"] = 1;
    r.values["pid"] = proc.pid;
    auto rss = services::detail::proc_rss_bytes(proc.pid);
    r.values["rss_bytes"] = static_cast<double>(rss);
    auto growth = rss_growth_mb_per_s(rss);
    r.values["rss_growth_mb_per_s"] = growth;
    auto rss_mb = static_cast<double>(rss) / (1024.0 * 1024.0);
    if (cfg.max_rss_mb > 0 && rss_mb > static_cast<double>(cfg.max_rss_mb))
      set_degraded(r, cfg.service + " uses " + ms_text(rss_mb) + " MiB > "
                        + std::to_string(cfg.max_rss_mb) + " MiB");
    if (cfg.max_rss_growth_mb_per_s > 0 && growth > cfg.max_rss_growth_mb_per_s)
      set_degraded(r, cfg.service + " memory grows " + ms_text(growth) + " MiB/s (now "
                        + ms_text(rss_mb) + " MiB)");
    set_ok(r, cfg.service + " " + st.state + " as pid " + std::to_string(proc.pid) + ", "
                + ms_text(rss_mb) + " MiB, " + std::to_string(st.restarts) + " restarts");
  }

  bool wait_for_change(std::chrono::milliseconds up_to) override {
    if (pidfd_ < 0) {
      ::poll(nullptr, 0, static_cast<int>(up_to.count()));
      return false;
    }
    pollfd p{pidfd_, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(up_to.count()));
    if (n <= 0)
      return false;
    ended_pid_ = pid_;
    ended_ticks_ = ticks_;
    ended_how_.clear();
    // Only a parent can read how it ended, and only before it is reaped.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT | WNOHANG) == 0
        && info.si_pid == pid_) {
      if (info.si_code == CLD_EXITED)
        ended_how_ = ending(info.si_status, 0, false);
      else
        ended_how_ = ending(-1, info.si_status, false);
    }
    forget_pidfd();
    return true;
  }

private:
  static std::string ending(int exit_code, int sig, bool oom) {
    if (oom)
      return " (OOM-killed" + (sig != 0 ? ", " + signal_text(sig) : "") + ")";
    if (sig != 0)
      return " (killed by " + signal_text(sig) + ")";
    if (exit_code >= 0)
      return " (exit code " + std::to_string(exit_code) + ")";
    return "";
  }

  void watch(pid_t pid, uint64_t ticks) {
    if (pidfd_ >= 0 && pid == pid_ && ticks == ticks_)
      return;
    forget_pidfd();
    rss_seen_.clear();
    pidfd_ = open_pidfd(pid);
    pid_ = pid;
    ticks_ = ticks;
  }

  void forget_pidfd() {
    if (pidfd_ >= 0)
      ::close(pidfd_);
    pidfd_ = -1;
  }

  /// Over about the last half second, so one allocation burst is not a trend.
  double rss_growth_mb_per_s(uint64_t rss) {
    auto now = clock_type::now();
    rss_seen_.emplace_back(now, rss);
    while (rss_seen_.size() > 2 && now - rss_seen_[1].first >= std::chrono::milliseconds(500))
      rss_seen_.pop_front();
    auto& [then, old] = rss_seen_.front();
    auto dt = std::chrono::duration<double>(now - then).count();
    if (dt < 0.05)
      return 0;
    return (static_cast<double>(rss) - static_cast<double>(old)) / (1024.0 * 1024.0) / dt;
  }

  int pidfd_ = -1;
  pid_t pid_ = 0;
  uint64_t ticks_ = 0;
  pid_t ended_pid_ = 0;
  uint64_t ended_ticks_ = 0;
  std::string ended_how_;
  std::deque<std::pair<clock_type::time_point, uint64_t>> rss_seen_;
};

} // namespace

probe_ptr make_process_probe(const probe_config& cfg) {
  return std::make_unique<process_probe>(cfg);
}

} // namespace vigil::probes
