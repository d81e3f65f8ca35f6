// A memory cgroup per service, so the kernel enforces memory_limit_mb and we
// can tell an OOM kill from any other SIGKILL (cgroup v1 or v2).
#pragma once

#include <cstdint>
#include <string>

namespace vigil::services::detail {

struct memory_cgroup {
  std::string dir;        ///< Empty when no cgroup could be set up.
  std::string procs_path; ///< Write a pid here to move that process in.
  uint64_t oom_kills = 0; ///< The OOM kill count when it was set up.
  std::string problem;    ///< Why there is no cgroup, when `dir` is empty.
};

/// Creates (or reuses) <cgroup root>/<parent>/<name> with the limit.
memory_cgroup prepare_memory_cgroup(const std::string& parent, const std::string& name,
                                    uint64_t limit_bytes);

/// How often the kernel OOM-killed a process of the cgroup at `dir` (v1
/// memory.oom_control or v2 memory.events; v1 without that counter: how
/// often the limit was hit).
uint64_t oom_kill_count(const std::string& dir);

} // namespace vigil::services::detail
