// The process's own resource use, read from /proc/self at scrape time, under
// the names Prometheus' client libraries use (process_*).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "metrics/registry.hpp"

namespace vigil::metrics {

/// The fields of /proc/<pid>/stat that the process_* families need.
struct proc_stat_fields {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t threads = 0;
  uint64_t start_ticks = 0;  ///< Since boot.
  uint64_t vsize_bytes = 0;
  uint64_t rss_pages = 0;
};

/// Parses the text of /proc/<pid>/stat (the command name may hold spaces and
/// parentheses); std::nullopt when it is malformed.
std::optional<proc_stat_fields> parse_proc_stat(const std::string& text);

struct process_stats {
  double cpu_seconds = 0;        ///< User + system CPU time.
  double resident_bytes = 0;     ///< RSS.
  double virtual_bytes = 0;
  double start_time_seconds = 0; ///< Unix time the process started.
  double open_fds = 0;
  double max_fds = 0;
  double threads = 0;
};

/// This process's stats from /proc/self; std::nullopt when /proc is unreadable.
std::optional<process_stats> read_process_stats();

/// Describes the process_* families and registers a collector that sets them
/// on each render(); returns the collector's id (for remove_collector).
collector_id collect_process_metrics(registry& reg);

} // namespace vigil::metrics
