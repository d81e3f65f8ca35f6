// The closed sets of the agents' protocol as types: an incident's state, a
// step's state, what a failed step leads to, an approval's state and a
// step's risk. Each keeps one spelling (the text the ops store, the JSON
// output and the reports show); text from outside is parsed once, and an
// unknown word is an error rather than a state nobody handles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace vigil {

/// From open to closed (resolved or escalated).
enum class incident_state : uint8_t {
  open,
  diagnosing,
  planning,
  awaiting_approval,
  acting,
  verifying,
  resolved,
  escalated,
};

/// One step of a plan, from planned to its last word.
enum class step_state : uint8_t {
  planned,
  awaiting_approval,
  approved,
  rejected,     ///< A human said no.
  refused,      ///< Policy said no.
  expired,      ///< No human answered in time.
  running,
  done,         ///< The action succeeded; not yet verified.
  failed,       ///< The action failed.
  verified,
  not_verified,
  skipped,      ///< Its cause was gone before it ran.
};

/// What a step that fails (or does not verify) leads to.
enum class failure_policy : uint8_t {
  next_step,       ///< The next step of the same plan.
  next_hypothesis, ///< The plan of the next hypothesis.
  escalate,        ///< A human takes over.
};

enum class approval_state : uint8_t { pending, approved, rejected, expired };

enum class risk_level : uint8_t { low, high };

std::string to_string(incident_state x);
std::string to_string(step_state x);
std::string to_string(failure_policy x);
std::string to_string(approval_state x);
std::string to_string(risk_level x);

/// The value spelt `text`; none for any other word.
std::optional<incident_state> parse_incident_state(std::string_view text);
std::optional<step_state> parse_step_state(std::string_view text);
std::optional<failure_policy> parse_failure_policy(std::string_view text);
std::optional<approval_state> parse_approval_state(std::string_view text);
std::optional<risk_level> parse_risk_level(std::string_view text);

/// Resolved or escalated: nothing more happens to it.
inline bool is_closed(incident_state x) {
  return x == incident_state::resolved || x == incident_state::escalated;
}

/// The step was sent to the action plane (whatever came of it).
bool has_run(step_state x);

/// Nothing more happens to the step: never repeated.
bool is_final(step_state x);

/// The JSON form is the spelling; reading an unknown word throws
/// std::invalid_argument naming it.
void to_json(nlohmann::json& j, incident_state x);
void from_json(const nlohmann::json& j, incident_state& x);
void to_json(nlohmann::json& j, step_state x);
void from_json(const nlohmann::json& j, step_state& x);
void to_json(nlohmann::json& j, failure_policy x);
void from_json(const nlohmann::json& j, failure_policy& x);
void to_json(nlohmann::json& j, approval_state x);
void from_json(const nlohmann::json& j, approval_state& x);
void to_json(nlohmann::json& j, risk_level x);
void from_json(const nlohmann::json& j, risk_level& x);

} // namespace vigil
