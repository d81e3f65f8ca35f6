// A thread per watched process blocks in poll() on its pidfd; the pidfd turns
// readable the moment the process ends, child or not.
#include "actors/services/detail/exit_watcher.hpp"

#include <cerrno>
#include <cstring>
#include <thread>

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vigil::services::detail {

namespace {

/// Ends kept for managers that come back; far more than a stack has services.
constexpr size_t max_remembered_ends = 256;

process_exit status_of(const siginfo_t& info) {
  process_exit result;
  if (info.si_code == CLD_EXITED) {
    result.exit_code = info.si_status;
  } else if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) {
    result.signal = info.si_status;
  } else {
    result.detail = "unexpected wait code " + std::to_string(info.si_code);
  }
  return result;
}

} // namespace

exit_watcher& exit_watcher::instance() {
  static auto* watcher = new exit_watcher;
  return *watcher;
}

bool exit_watcher::watch(pid_t pid, uint64_t start_ticks, bool child, exit_callback on_exit) {
  // The syscall itself: glibc 2.36's <sys/pidfd.h> lacks extern "C".
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0)
    return false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& e = entries_[pid];
    e = entry{};
    e.start_ticks = start_ticks;
    e.on_exit = std::move(on_exit);
    forget_old_ends();
  }
  std::thread{[this, pid, start_ticks, fd, child] { run(pid, start_ticks, fd, child); }}.detach();
  return true;
}

bool exit_watcher::rewatch(pid_t pid, uint64_t start_ticks, exit_callback on_exit) {
  std::unique_lock<std::mutex> guard{mtx_};
  auto i = entries_.find(pid);
  if (i == entries_.end() || i->second.start_ticks != start_ticks)
    return false;
  i->second.on_exit = on_exit;
  if (!i->second.ended)
    return true;
  auto result = i->second.result;
  guard.unlock();
  on_exit(pid, result);
  return true;
}

void exit_watcher::run(pid_t pid, uint64_t start_ticks, int pidfd, bool child) {
  pollfd p{pidfd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR)
    ; // retry
  process_exit result;
  if (child) {
    siginfo_t info{};
    int rc;
    while ((rc = ::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED)) < 0
           && errno == EINTR)
      ; // retry
    if (rc == 0)
      result = status_of(info);
    else
      result.detail = std::string{"exit status unknown: waitid: "} + std::strerror(errno);
  } else {
    result.detail = "exit status unknown: the process was adopted, not started by this node";
  }
  ::close(pidfd);
  exit_callback on_exit;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = entries_.find(pid);
    if (i == entries_.end() || i->second.start_ticks != start_ticks)
      return; // a newer process got this pid and its own watch
    i->second.ended = true;
    i->second.result = result;
    on_exit = i->second.on_exit;
  }
  if (on_exit)
    on_exit(pid, result);
}

void exit_watcher::forget_old_ends() {
  // Lowest pids first is as good as oldest first here: they are rarely
  // needed at all, only by a manager restarted within seconds.
  for (auto i = entries_.begin(); entries_.size() > max_remembered_ends && i != entries_.end();)
    if (i->second.ended)
      i = entries_.erase(i);
    else
      ++i;
}

} // namespace vigil::services::detail
