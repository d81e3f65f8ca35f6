// Perception ("<node>/control/agents/perception"): follows probe results,
// SLI windows, service health and scraped samples on the bus (never the
// chaos topic: diagnosis is blind), polls the cluster registry and the
// service manager, keeps the signal table, judges each service with
// hysteresis, and tells the incident coordinator about each problem.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/agents/agents_context.hpp"
#include "actors/status/health_board.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

/// agents.json "perception" (every field optional).
struct perception_settings {
  status::board_settings board;       ///< degrade_after, recover_after, stale_after_ms, sli_*.
  /// A probe not ok this long makes its service bad even when hysteresis
  /// has not settled (results come on a change, then every few seconds).
  int64_t bad_for_ms = 1000;
  /// A probe of an escalated problem's services in a status that problem
  /// has not reported, held this long, is a new failure: a new incident.
  int64_t new_failure_after_ms = 2000;
  /// All services ok this long closes the problem; the next one is new.
  int64_t quiet_ms = 10000;
  /// After perception starts, nothing opens a problem this long: the stack
  /// and the probes settle first; what is still bad afterwards is reported.
  int64_t startup_grace_ms = 10000;
  /// A service turning bad within this long of a problem's last change
  /// joins it (a cascade); later it opens a problem of its own.
  int64_t merge_window_ms = 30000;
  int64_t poll_ms = 1000;             ///< Registry and service manager.
  int64_t signal_max_age_ms = 60000;  ///< Signals not seen this long are dropped.
  int64_t log_keep_ms = 60000;        ///< Log lines and actor restarts stay this long.
  /// Probes that never open a problem (their signals are still kept).
  std::vector<std::string> ignore_probes;
  /// Scraped services whose samples are not kept as metric.* signals
  /// (prefixes; Vigil's own pages are large and have their own probes).
  std::vector<std::string> ignore_metrics_of{"vigil-"};
};

perception_settings parse_perception_settings(const nlohmann::json& j);

/// The child "perception" of the agents supervisor.
supervision::child_spec perception_child(agents_context ctx);

} // namespace vigil::agents
