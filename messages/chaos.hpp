// The chaos protocol: the fault catalogue, injections, the kill switch, the
// schedule and the chaos log, as the chaos node offers them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace vigil {

using faults_atom = caf::atom_constant<caf::atom("faults")>;
using inject_atom = caf::atom_constant<caf::atom("inject")>;
using revert_atom = caf::atom_constant<caf::atom("revert")>;
using active_atom = caf::atom_constant<caf::atom("active")>;
using killswitch_atom = caf::atom_constant<caf::atom("killswitch")>;
using schedule_atom = caf::atom_constant<caf::atom("schedule")>;
using chaos_log_atom = caf::atom_constant<caf::atom("chaos_log")>;

/// One parameter of a fault kind, with its bounds.
struct fault_param {
  std::string name;
  std::string type;  ///< "int", "number", "string" or "choice".
  double min = 0;    ///< Numbers only.
  double max = 0;
  std::vector<std::string> choices; ///< Choices only.
  std::string default_value;        ///< As text.
  std::string help;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fault_param& x) {
  return f(caf::meta::type_name("vigil::fault_param"), x.name, x.type, x.min, x.max,
           x.choices, x.default_value, x.help);
}

/// A step that is an acceptable fix for a fault kind: a tool of the action
/// plane, on a target as the plane names it (the step's service, database,
/// role...; empty: any). Judged by the drill campaign, never seen by the
/// agents.
struct fault_fix {
  std::string tool;
  std::string target;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fault_fix& x) {
  return f(caf::meta::type_name("vigil::fault_fix"), x.tool, x.target);
}

/// One fault kind of the catalogue.
struct fault_kind {
  std::string name;        ///< e.g. "db_down".
  std::string label;       ///< Ground-truth root cause, e.g. "db_unavailable".
  std::string risk;        ///< "safe" or "destructive" (needs approval).
  std::string target;      ///< What it breaks, e.g. "target-db".
  std::string description;
  std::string revert;      ///< What revert does.
  bool outlives = false;   ///< Its effect outlives it (a crash): revert injects no more.
  uint32_t default_duration_s = 60;
  std::vector<fault_param> params;
  /// The steps a reviewing SRE would accept as its fix; a step outside them
  /// is harm (a healthy component touched, a wrong remedy).
  std::vector<fault_fix> fixes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fault_kind& x) {
  return f(caf::meta::type_name("vigil::fault_kind"), x.name, x.label, x.risk, x.target,
           x.description, x.revert, x.outlives, x.default_duration_s, x.params, x.fixes);
}

/// A request to inject one fault.
struct injection_request {
  std::string fault;
  std::string params_json = "{}"; ///< A JSON object of parameters.
  uint32_t duration_s = 0;        ///< 0: the fault's default.
  bool approved = false;          ///< Explicit approval for destructive faults.
  std::string requested_by;       ///< "vigilctl", "http", "scheduler", ...
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, injection_request& x) {
  return f(caf::meta::type_name("vigil::injection_request"), x.fault, x.params_json,
           x.duration_s, x.approved, x.requested_by);
}

/// An injected fault that has not been reverted yet.
struct active_fault {
  std::string id;          ///< e.g. "f-12".
  std::string fault;
  std::string label;
  std::string target;
  std::string params_json;
  std::string requested_by;
  int64_t injected_unix_ms = 0;
  int64_t expires_unix_ms = 0;
  std::string detail;      ///< What the inject did, in words.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, active_fault& x) {
  return f(caf::meta::type_name("vigil::active_fault"), x.id, x.fault, x.label, x.target,
           x.params_json, x.requested_by, x.injected_unix_ms, x.expires_unix_ms, x.detail);
}

/// One line of the chaos log: every inject and revert, with its label.
struct chaos_event {
  uint64_t seq = 0;
  std::string injection_id;
  std::string fault;
  std::string label;
  std::string phase;       ///< "inject", "revert", "inject_failed", "revert_failed", "refused", "recovered".
  std::string params_json;
  std::string requested_by;
  int64_t unix_ms = 0;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chaos_event& x) {
  return f(caf::meta::type_name("vigil::chaos_event"), x.seq, x.injection_id, x.fault,
           x.label, x.phase, x.params_json, x.requested_by, x.unix_ms, x.detail);
}

/// The chaos monkey's settings; `on` false stops it.
struct chaos_schedule {
  bool on = false;
  double mean_interval_s = 60;
  std::vector<std::string> faults; ///< Allowed kinds; empty: every safe kind.
  uint32_t max_concurrent = 1;
  uint32_t min_duration_s = 20;
  uint32_t max_duration_s = 60;
  uint64_t seed = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chaos_schedule& x) {
  return f(caf::meta::type_name("vigil::chaos_schedule"), x.on, x.mean_interval_s, x.faults,
           x.max_concurrent, x.min_duration_s, x.max_duration_s, x.seed);
}

bool operator==(const fault_param& x, const fault_param& y);
bool operator==(const fault_fix& x, const fault_fix& y);
bool operator==(const fault_kind& x, const fault_kind& y);
bool operator==(const injection_request& x, const injection_request& y);
bool operator==(const active_fault& x, const active_fault& y);
bool operator==(const chaos_event& x, const chaos_event& y);
bool operator==(const chaos_schedule& x, const chaos_schedule& y);

/// The chaos controller on chaos nodes.
using chaos_actor = caf::typed_actor<
  caf::replies_to<faults_atom>::with<std::vector<fault_kind>>,
  caf::replies_to<inject_atom, injection_request>::with<active_fault>,
  caf::replies_to<active_atom>::with<std::vector<active_fault>>,
  /// Reverts one active fault by id.
  caf::replies_to<revert_atom, std::string>::with<chaos_event>,
  /// The kill switch: reverts every active fault now.
  caf::replies_to<killswitch_atom>::with<std::vector<chaos_event>>,
  caf::replies_to<schedule_atom, chaos_schedule>::with<chaos_schedule>,
  caf::replies_to<schedule_atom>::with<chaos_schedule>,
  /// Chaos log entries with seq greater than the given one.
  caf::replies_to<chaos_log_atom, uint64_t>::with<std::vector<chaos_event>>>;

/// Why the chaos plane refused or failed.
enum class chaos_error : uint8_t {
  none = 0,
  unknown_fault,      ///< Not in the catalogue.
  bad_params,         ///< Unknown parameter, wrong type, out of bounds.
  not_sandbox,        ///< The target is not marked as a sandbox.
  needs_approval,     ///< A destructive fault without explicit approval.
  too_many_active,    ///< The configured maximum of faults at once is reached.
  already_active,     ///< This fault kind is active already.
  inject_failed,      ///< The inject itself failed (message says why).
  revert_failed,
  unknown_injection,  ///< No active fault with that id.
};

std::string to_string(chaos_error x);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::chaos_error, "chaos")
