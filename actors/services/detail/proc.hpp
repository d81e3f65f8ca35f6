// What /proc says about one process: whether it is the one we started (its
// start time), whether it still runs, and its resident memory.
#pragma once

#include <cstdint>
#include <optional>

#include <sys/types.h>

namespace vigil::services::detail {

struct proc_stat {
  char state = '?';         ///< R, S, D, Z (zombie), ...
  uint64_t start_ticks = 0; ///< Clock ticks since boot.
};

/// /proc/<pid>/stat, or nullopt when there is no such process.
std::optional<proc_stat> read_proc_stat(pid_t pid);

/// True if `pid` is a live (not zombie) process that started at `start_ticks`.
bool same_process_alive(pid_t pid, uint64_t start_ticks);

/// VmRSS of /proc/<pid>/status in bytes; 0 when unknown.
uint64_t proc_rss_bytes(pid_t pid);

} // namespace vigil::services::detail
