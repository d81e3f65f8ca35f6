// One per process: notices within milliseconds when a watched process ends
// (a pidfd polled by a thread per process), and remembers ends for a while so
// a service manager restarted inside the same node still hears of them.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "actors/services/service_backend.hpp"

namespace vigil::services::detail {

class exit_watcher {
public:
  /// The process-wide watcher (never destroyed: its threads may outlive main).
  static exit_watcher& instance();

  /// Watches `pid`, started at `start_ticks`. Only for a `child` of this
  /// process can the exit status be read (and the zombie reaped). False
  /// when the process is already gone.
  bool watch(pid_t pid, uint64_t start_ticks, bool child, exit_callback on_exit);

  /// Points an existing watch (or a remembered end) of `pid` to `on_exit`;
  /// a remembered end is reported at once. False when `pid` is unknown here.
  bool rewatch(pid_t pid, uint64_t start_ticks, exit_callback on_exit);

private:
  exit_watcher() = default;

  struct entry {
    uint64_t start_ticks = 0;
    exit_callback on_exit;
    bool ended = false;
    process_exit result;
  };

  void run(pid_t pid, uint64_t start_ticks, int pidfd, bool child);
  void forget_old_ends(); // call with mtx_ held

  std::mutex mtx_;
  std::map<pid_t, entry> entries_;
};

} // namespace vigil::services::detail
