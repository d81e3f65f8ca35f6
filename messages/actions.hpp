// The action plane's protocol: the one door through which anything in the
// stack is changed. Only a node with the `action` role serves it
// ("<node>/action/plane"); its REST API speaks the same requests as JSON
// (messages/actions_json.hpp).
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

using act_atom = caf::atom_constant<caf::atom("act")>;
using tools_atom = caf::atom_constant<caf::atom("tools")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;

/// Run one tool once. The same idempotency key always gets the first
/// result back, however often (and from whichever node) it is sent.
struct action_request {
  std::string tool;             ///< restart_service, rotate_db_secret... (known_tools()).
  std::string args = "{}";      ///< A JSON object; the tool validates it.
  /// Unique per intended effect: "<incident>/<hypothesis>/<step>" from the
  /// agents, the client's own key from the REST API. Required.
  std::string idempotency_key;
  std::string incident;         ///< The incident it serves; empty for a manual call.
  std::string requested_by;     ///< "agent:planner", "api:<client>", "vigilctl:<user>".
  /// A high-risk step runs only with the name of whoever approved it
  /// ("human:alice", "campaign:drill-7"); the plane refuses it otherwise.
  std::string approved_by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, action_request& x) {
  return f(caf::meta::type_name("vigil::action_request"), x.tool, x.args, x.idempotency_key,
           x.incident, x.requested_by, x.approved_by);
}

/// What one tool run did.
struct action_result {
  std::string idempotency_key;
  std::string tool;
  std::string status;           ///< done, failed (ran and did not work).
  std::string detail;           ///< In words: "shopd restarted (pid 4711), ready in 820 ms".
  std::string output = "{}";    ///< A JSON object with what the tool measured or changed.
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  bool repeated = false;        ///< Answered from the record of an earlier run.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, action_result& x) {
  return f(caf::meta::type_name("vigil::action_result"), x.idempotency_key, x.tool, x.status,
           x.detail, x.output, x.started_unix_ms, x.finished_unix_ms, x.repeated);
}

/// One tool the plane offers.
struct tool_info {
  std::string name;
  std::string risk;             ///< low or high: the policy's default for it.
  std::string summary;          ///< One line.
  std::string args;             ///< The arguments it takes, in words.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tool_info& x) {
  return f(caf::meta::type_name("vigil::tool_info"), x.name, x.risk, x.summary, x.args);
}

/// One line of the audit log: written before a tool runs ("before") and
/// after ("after"), and for every refusal ("refused").
struct audit_record {
  uint64_t seq = 0;
  std::string phase;            ///< before, after or refused.
  std::string idempotency_key;
  std::string tool;
  std::string args;
  std::string incident;
  std::string requested_by;
  std::string approved_by;
  std::string status;           ///< after: done/failed; refused: the error code.
  std::string detail;
  int64_t at_unix_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_record& x) {
  return f(caf::meta::type_name("vigil::audit_record"), x.seq, x.phase, x.idempotency_key,
           x.tool, x.args, x.incident, x.requested_by, x.approved_by, x.status, x.detail,
           x.at_unix_ms);
}

bool operator==(const action_request& x, const action_request& y);
bool operator==(const action_result& x, const action_result& y);
bool operator==(const tool_info& x, const tool_info& y);
bool operator==(const audit_record& x, const audit_record& y);

/// The action plane on the action node ("<node>/action/plane").
using action_plane_actor = caf::typed_actor<
  caf::replies_to<act_atom, action_request>::with<action_result>,
  caf::replies_to<tools_atom>::with<std::vector<tool_info>>,
  /// The audit log: of one incident ("" = all), newest last, at most this many.
  caf::replies_to<audit_atom, std::string, uint32_t>::with<std::vector<audit_record>>>;

/// Why the action plane refused a request. A refusal changes nothing.
enum class action_error : uint8_t {
  none = 0,
  unknown_tool,       ///< Not a tool of the plane.
  bad_args,           ///< Missing, unknown or out-of-bounds arguments; no key.
  not_allowed,        ///< The policy does not allow this tool or this target.
  needs_approval,     ///< A high-risk tool without approved_by.
  rate_limited,       ///< Too many actions in the policy's window.
  restart_intensity,  ///< Too many restarts of this service in the window: escalate.
  busy,               ///< The same key is running now; ask again for its result.
  store_unavailable,  ///< The audit log cannot be written: nothing runs without it.
  unauthorized,       ///< REST API: no or wrong bearer token.
};

std::string to_string(action_error x);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::action_error, "action")
