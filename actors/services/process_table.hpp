// The host's processes as /proc shows them, their CPU use between two looks,
// and which of them belong to the stack, to Vigil or to the system. Both the
// host probe (is the CPU burnt outside the stack?) and the kill_process tool
// (what may be killed?) judge with this one rule, so the probe confirms
// exactly what the tool would act on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

namespace vigil::services {

struct process_sample {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  char state = '?';
  std::string comm;
  uint64_t cpu_ticks = 0;   ///< utime + stime
  uint64_t start_ticks = 0; ///< Tells a reused pid from the sampled process.
};

using process_table = std::map<pid_t, process_sample>;

/// /proc/<pid>/stat, or nullopt when there is no such process.
std::optional<process_sample> read_process(pid_t pid);

/// Every process; throws std::runtime_error when /proc cannot be read.
process_table read_process_table();

/// The executable's file name ("vigil", "postgres"); empty for kernel
/// threads and processes we may not inspect.
std::string exe_name(pid_t pid);

/// True if `pid` is a descendant of `ancestor` in `procs`.
bool descends_from(pid_t pid, pid_t ancestor, const process_table& procs);

struct cpu_use {
  process_sample proc;
  double cpu_percent = 0; ///< Of one core, over the interval.
};

/// CPU use of the processes alive at the second look that used at least
/// `min_percent` of a core in `seconds`: between the looks, or for one
/// started since the first look (a new or reused pid), over its age.
std::vector<cpu_use> cpu_between(const process_table& first, const process_table& second,
                                 double seconds, double min_percent);

/// Why a process is not a runaway outside the stack: init, a zombie, this
/// process or its ancestor, a stack service (or in one's process group),
/// postgres, a Vigil node's main process, a kernel thread, a protected name.
/// Empty: it is outside everything we run.
std::string why_not_outside(const process_sample& p, const process_table& procs,
                            const std::set<pid_t>& service_pids,
                            const std::set<std::string>& protect);

} // namespace vigil::services
