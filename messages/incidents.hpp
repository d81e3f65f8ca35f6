// The agents' protocol: incidents and what each agent adds to them
// (hypotheses, a guarded plan, approvals, verification). The agents live on
// the control node under "<node>/control/agents/..." and the incident
// coordinator at "<node>/control/incidents"; vigilctl talks to the
// coordinator (incidents) and to safety (approvals).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/incident_states.hpp"

namespace vigil {

using incidents_atom = caf::atom_constant<caf::atom("incidents")>;
using incident_atom = caf::atom_constant<caf::atom("incident")>;
using open_atom = caf::atom_constant<caf::atom("open")>;
using signals_atom = caf::atom_constant<caf::atom("signals")>;
using diagnose_atom = caf::atom_constant<caf::atom("diagnose")>;
using confirm_atom = caf::atom_constant<caf::atom("confirm")>;
using plan_atom = caf::atom_constant<caf::atom("plan")>;
using gate_atom = caf::atom_constant<caf::atom("gate")>;
using approvals_atom = caf::atom_constant<caf::atom("approvals")>;
using decide_atom = caf::atom_constant<caf::atom("decide")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using brief_atom = caf::atom_constant<caf::atom("brief")>;
using postmortem_atom = caf::atom_constant<caf::atom("postmortem")>;
using pause_atom = caf::atom_constant<caf::atom("pause")>;
using over_atom = caf::atom_constant<caf::atom("over")>;

/// One named signal as perception sees it now (names: docs/RUNBOOKS.md,
/// "Signal names"): "probe.target-db.postgres.status" = "down".
struct signal_value {
  std::string name;
  std::string text;             ///< The value as text ("down", "503", a log line).
  double number = 0;            ///< The value as a number when numeric.
  bool numeric = false;
  int64_t at_unix_ms = 0;       ///< Last seen.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_value& x) {
  return f(caf::meta::type_name("vigil::signal_value"), x.name, x.text, x.number, x.numeric,
           x.at_unix_ms);
}

/// One candidate root cause, scored by diagnosis.
struct hypothesis {
  std::string root_cause;       ///< A runbook's label, or "unknown".
  std::string runbook;          ///< Its id; empty for "unknown".
  std::string title;
  double confidence = 0;        ///< 0..1.
  std::vector<std::string> evidence_for;     ///< Matched conditions, in words.
  std::vector<std::string> evidence_against; ///< Conditions that did not hold.
  std::vector<std::string> blast_radius;     ///< Services that depend on the broken one.
  /// The service a failure mode blames ("dbproxy" for process-exited bound
  /// to dbproxy); empty for a runbook that names its services itself.
  std::string component;
  /// What the failure mode's placeholders were bound to from the service
  /// model ("$app": "shopd", "$role": "shop"); the planner fills steps with it.
  std::map<std::string, std::string> bindings;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, hypothesis& x) {
  return f(caf::meta::type_name("vigil::hypothesis"), x.root_cause, x.runbook, x.title,
           x.confidence, x.evidence_for, x.evidence_against, x.blast_radius, x.component,
           x.bindings);
}

/// One step of a guarded plan, and how far it got.
struct plan_step {
  uint32_t index = 0;           ///< Position in the plan, from 0.
  std::string tool;
  std::string args = "{}";      ///< JSON object, "$name" placeholders filled in.
  risk_level risk = risk_level::low;
  std::string why;
  std::string check = "{}";     ///< JSON condition + within_s (docs/RUNBOOKS.md).
  std::string rollback = "{}";  ///< JSON: {"tool":...,"args":...} or {"none": why}.
  failure_policy on_failure = failure_policy::next_step;
  step_state state = step_state::planned;
  std::string idempotency_key;  ///< "<incident>/h<hypothesis>/s<index>".
  std::string approval_id;
  std::string approved_by;      ///< "policy" for automatic, "human:<who>", "campaign:<id>".
  std::string result;           ///< The action's detail.
  std::string verification;     ///< The verifier's detail.
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  int64_t approval_wait_ms = 0; ///< Time spent waiting for a human (not counted in TTM).
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, plan_step& x) {
  return f(caf::meta::type_name("vigil::plan_step"), x.index, x.tool, x.args, x.risk, x.why,
           x.check, x.rollback, x.on_failure, x.state, x.idempotency_key, x.approval_id,
           x.approved_by, x.result, x.verification, x.started_unix_ms, x.finished_unix_ms,
           x.approval_wait_ms);
}

/// One problem, from detection to resolution.
struct incident {
  std::string id;               ///< "inc-<opened ms>-<n>".
  incident_state state = incident_state::open;
  std::string title;
  std::vector<std::string> services;  ///< Affected, as perception saw them.
  std::vector<std::string> symptoms;  ///< "probe shopd-health down: connection refused".
  int64_t started_unix_ms = 0;  ///< The first symptom.
  int64_t opened_unix_ms = 0;   ///< Detected: the incident was opened.
  int64_t mitigated_unix_ms = 0;  ///< Recovery verified; 0 while not.
  int64_t closed_unix_ms = 0;   ///< Resolved or escalated.
  std::vector<hypothesis> hypotheses;  ///< Ranked, best first.
  uint32_t hypothesis_index = 0;       ///< The one the plan comes from.
  std::vector<plan_step> plan;
  std::string escalation;       ///< Why a human must take over; empty if not.
  std::string baseline = "{}";  ///< JSON: health and SLIs just before it started.
  std::string brief;            ///< The latest short brief (Markdown).
  std::string postmortem_path;  ///< Under var/reports/ once closed.
  int64_t approval_wait_ms = 0; ///< Sum over its steps.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, incident& x) {
  return f(caf::meta::type_name("vigil::incident"), x.id, x.state, x.title, x.services,
           x.symptoms, x.started_unix_ms, x.opened_unix_ms, x.mitigated_unix_ms,
           x.closed_unix_ms, x.hypotheses, x.hypothesis_index, x.plan, x.escalation,
           x.baseline, x.brief, x.postmortem_path, x.approval_wait_ms);
}

/// A risky step waiting for (or decided by) a human.
struct approval {
  std::string id;               ///< "apr-<n>".
  std::string incident;
  uint32_t step = 0;
  std::string tool;
  std::string args = "{}";
  risk_level risk = risk_level::high;
  std::string why;
  approval_state state = approval_state::pending;
  int64_t requested_unix_ms = 0;
  int64_t expires_unix_ms = 0;
  int64_t decided_unix_ms = 0;
  std::string decided_by;       ///< "human:<who>", "campaign:<id>", "timeout".
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, approval& x) {
  return f(caf::meta::type_name("vigil::approval"), x.id, x.incident, x.step, x.tool, x.args,
           x.risk, x.why, x.state, x.requested_unix_ms, x.expires_unix_ms, x.decided_unix_ms,
           x.decided_by, x.reason);
}

bool operator==(const signal_value& x, const signal_value& y);
bool operator==(const hypothesis& x, const hypothesis& y);
bool operator==(const plan_step& x, const plan_step& y);
bool operator==(const incident& x, const incident& y);
bool operator==(const approval& x, const approval& y);

/// The incident coordinator ("<node>/control/incidents"): opens, dedupes,
/// drives each incident through the agents and keeps it in the ops store.
using incidents_actor = caf::typed_actor<
  /// Incidents, newest first: only open ones when true, at most this many (0 = 50).
  caf::replies_to<incidents_atom, bool, uint32_t>::with<std::vector<incident>>,
  caf::replies_to<incident_atom, std::string>::with<incident>,
  /// From perception: a problem (services, symptoms, started_unix_ms set).
  /// Answers the id of the incident it opened or merged into.
  caf::replies_to<open_atom, incident>::with<std::string>,
  /// From perception: this incident's services have been ok for its quiet
  /// time. A step still waiting for a human is withdrawn: nothing to fix.
  caf::reacts_to<over_atom, std::string>,
  /// Pause (true) or resume (false) acting; perception keeps detecting.
  /// Answers whether it is paused now.
  caf::replies_to<pause_atom, bool>::with<bool>>;

/// Perception ("<node>/control/agents/perception"): the signal table.
using perception_actor = caf::typed_actor<
  caf::replies_to<signals_atom>::with<std::vector<signal_value>>>;

/// Diagnosis ("<node>/control/agents/diagnosis"): ranked hypotheses, best
/// first; an unknown pattern gives one low-confidence "unknown".
using diagnosis_actor = caf::typed_actor<
  caf::replies_to<diagnose_atom, incident>::with<std::vector<hypothesis>>,
  /// The hypothesis' confirming checks made again now: the same hypothesis,
  /// its confidence 0 when one no longer holds (the fault is gone).
  caf::replies_to<confirm_atom, hypothesis>::with<hypothesis>>;

/// Planner ("<node>/control/agents/planner"): the hypothesis' runbook as steps.
using planner_actor = caf::typed_actor<
  caf::replies_to<plan_atom, incident, hypothesis>::with<std::vector<plan_step>>>;

/// Safety ("<node>/control/agents/safety"): the gate before every step.
using safety_actor = caf::typed_actor<
  /// Answers the step with state approved (approved_by set), rejected,
  /// refused or expired — for a step that needs a human, only once decided.
  caf::replies_to<gate_atom, incident, plan_step>::with<plan_step>,
  /// Approvals, newest first: only pending ones when true.
  caf::replies_to<approvals_atom, bool>::with<std::vector<approval>>,
  /// id, approve (true) or reject, who ("human:alice"), reason.
  caf::replies_to<decide_atom, std::string, bool, std::string, std::string>::with<approval>>;

/// Verifier ("<node>/control/agents/verifier"): after a step, waits for its
/// check and for the services to be back at their baseline; answers the step
/// with state verified or not_verified and the reason.
using verifier_actor = caf::typed_actor<
  caf::replies_to<verify_atom, incident, plan_step>::with<plan_step>>;

/// Narrator ("<node>/control/agents/narrator"): briefs and postmortems.
using narrator_actor = caf::typed_actor<
  /// A short brief for the incident as it is now (posted to the webhooks).
  caf::replies_to<brief_atom, incident>::with<std::string>,
  /// The postmortem of a closed incident: stored, written, indexed; answers its path.
  caf::replies_to<postmortem_atom, incident>::with<std::string>>;

/// Why an incident or approval request failed.
enum class incident_error : uint8_t {
  none = 0,
  unknown_incident,
  unknown_approval,
  already_decided,    ///< The approval was approved, rejected or expired already.
  bad_request,        ///< Malformed arguments (message says which).
  store_unavailable,  ///< The ops store cannot be reached now.
  no_action_node,     ///< No node with the action role is up.
};

std::string to_string(incident_error x);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::incident_error, "incident")
