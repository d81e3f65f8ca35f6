// The verifier ("<node>/control/agents/verifier"): after a step ran, waits
// for the step's check on perception's signals, then for the incident's
// services to be healthy on the status board with their success ratio back
// near the baseline recorded when the incident opened, stable for a settle
// period. Answers the step verified or not_verified with the reason.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>
#include <nlohmann/json_fwd.hpp>

#include "actors/agents/agents_context.hpp"
#include "messages/incidents.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

/// The "verifier" section of the agents file (all optional).
struct verifier_settings {
  /// Healthy and at baseline for this long before a step counts as verified.
  caf::timespan settle = std::chrono::seconds(10);
  /// After the check holds, how long the services may take to recover.
  caf::timespan recovery = std::chrono::seconds(90);
  /// A success ratio within this of the baseline is "back".
  double sli_tolerance = 0.05;
  /// The success ratio required when the baseline has none for a service.
  double min_success_ratio = 0.9;
  caf::timespan poll = std::chrono::seconds(1);

  /// The longest one verification of `step` can take.
  caf::timespan budget(const plan_step& step) const;
};

/// Reads settle_s, recovery_s, sli_tolerance, min_success_ratio, poll_ms;
/// a bad value throws std::invalid_argument naming the field.
verifier_settings parse_verifier_settings(const nlohmann::json& section);

/// A step's check: a condition on one signal (docs/RUNBOOKS.md) and how
/// long it may take to hold.
struct step_check {
  std::string signal;     ///< Empty: the step has no check.
  std::string op;         ///< is, is_not, contains, above, below.
  std::string text;       ///< The value as text.
  double number = 0;      ///< The value as a number (above, below; is when numeric).
  caf::timespan within = std::chrono::seconds(60);

  /// "probe.shopd.http.status is ok".
  std::string describe() const;
};

/// Parses a step's check JSON; nullopt with `why` set when it is malformed.
std::optional<step_check> parse_check(const std::string& check_json, std::string* why);

/// Whether `value` satisfies the check (a missing signal satisfies nothing).
bool check_holds(const step_check& check, const signal_value* value);

verifier_actor spawn_verifier(caf::actor_system& sys, const agents_context& ctx,
                              verifier_settings settings);

/// The child "verifier" of the agents supervisor.
supervision::child_spec verifier_child(const agents_context& ctx);

} // namespace vigil::agents
