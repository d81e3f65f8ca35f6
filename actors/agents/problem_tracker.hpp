// Problems as perception sees them: services that went bad together, until
// all of them are ok again for a quiet time. Plain logic (no actor, no
// clock): perception feeds it the services judged bad and the latest probe
// results on each tick, sends what it says is unsent, and tells it what the
// coordinator answered.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "messages/incidents.hpp"
#include "messages/observability.hpp"

namespace vigil::agents {

/// What the tracker reads of perception's view at one moment. Ignored
/// probes are left out by the caller.
struct probe_view {
  std::set<std::string> bad_services;                ///< Judged bad now.
  std::map<std::string, probe_result> latest;        ///< By probe.
  std::map<std::string, int64_t> status_since;       ///< By probe: its status now since.
  std::map<std::string, int64_t> first_bad;          ///< By service; 0: ok.
};

struct problem_settings {
  int64_t merge_window_ms = 30000;     ///< A service bad this soon after a change joins.
  int64_t quiet_ms = 10000;            ///< All ok this long ends a problem.
  int64_t new_failure_after_ms = 2000; ///< Of an escalated problem: a new incident.
};

/// One problem: the services that went bad together.
struct problem {
  std::set<std::string> services;
  std::map<std::string, std::string> symptoms; ///< By probe, one line each.
  int64_t started_unix_ms = 0;
  int64_t changed_ms = 0;     ///< A service last joined (or it opened).
  int64_t quiet_since_ms = 0; ///< All ok since; 0 while something is bad.
  bool unsent = true;         ///< Changed since the coordinator last heard.
  std::string incident_id;
  /// Its incident was escalated: a human owns it, and a failure it has not
  /// reported yet must reach them as an incident of its own.
  bool escalated = false;
  /// "probe:status" of every failure the coordinator has heard of.
  std::set<std::string> reported;
};

/// One line for a probe result in a problem's symptoms.
std::string symptom_line(const probe_result& r);

class problem_tracker {
public:
  explicit problem_tracker(problem_settings settings) : settings_(settings) {}

  /// One look at the stack at `now`. Returns the incidents whose problems
  /// are over (every service ok for quiet_ms).
  std::vector<std::string> update(const probe_view& view, int64_t now);

  /// The next problem the coordinator has not heard of, as an incident to
  /// open, marked sent with everything it reports; the key (its first
  /// service) names it in answers. Nothing when all are sent.
  std::optional<std::pair<std::string, incident>> take_unsent(const probe_view& view);

  /// The coordinator took the problem `key` as incident `id`; returns
  /// whether that is news.
  bool opened(const std::string& key, const std::string& id);

  /// The coordinator did not take it: sent again later.
  void not_taken(const std::string& key);

  /// The incident was escalated (a human owns it).
  void escalated(const std::string& incident_id);

  const std::vector<problem>& problems() const { return problems_; }

private:
  std::string new_failure(const probe_view& view, const problem& p, int64_t now) const;

  problem_settings settings_;
  std::vector<problem> problems_; ///< Oldest first.
};

} // namespace vigil::agents
