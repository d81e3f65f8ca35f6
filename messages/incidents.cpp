// Equality (for round-trip tests) and error names of the agents' protocol.
#include "messages/incidents.hpp"

#include <tuple>

namespace vigil {

namespace {

auto fields(const signal_value& x) {
  return std::tie(x.name, x.text, x.number, x.numeric, x.at_unix_ms);
}

auto fields(const hypothesis& x) {
  return std::tie(x.root_cause, x.runbook, x.title, x.confidence, x.evidence_for,
                  x.evidence_against, x.blast_radius, x.component, x.bindings);
}

auto fields(const plan_step& x) {
  return std::tie(x.index, x.tool, x.args, x.risk, x.why, x.check, x.rollback, x.on_failure,
                  x.state, x.idempotency_key, x.approval_id, x.approved_by, x.result,
                  x.verification, x.started_unix_ms, x.finished_unix_ms, x.approval_wait_ms);
}

auto fields(const incident& x) {
  return std::tie(x.id, x.state, x.title, x.services, x.symptoms, x.started_unix_ms,
                  x.opened_unix_ms, x.mitigated_unix_ms, x.closed_unix_ms, x.hypotheses,
                  x.hypothesis_index, x.plan, x.escalation, x.baseline, x.brief,
                  x.postmortem_path, x.approval_wait_ms);
}

auto fields(const approval& x) {
  return std::tie(x.id, x.incident, x.step, x.tool, x.args, x.risk, x.why, x.state,
                  x.requested_unix_ms, x.expires_unix_ms, x.decided_unix_ms, x.decided_by,
                  x.reason);
}

} // namespace

bool operator==(const signal_value& x, const signal_value& y) {
  return fields(x) == fields(y);
}

bool operator==(const hypothesis& x, const hypothesis& y) {
  return fields(x) == fields(y);
}

bool operator==(const plan_step& x, const plan_step& y) {
  return fields(x) == fields(y);
}

bool operator==(const incident& x, const incident& y) {
  return fields(x) == fields(y);
}

bool operator==(const approval& x, const approval& y) {
  return fields(x) == fields(y);
}

std::string to_string(incident_error x) {
  switch (x) {
    case incident_error::none: return "none";
    case incident_error::unknown_incident: return "unknown_incident";
    case incident_error::unknown_approval: return "unknown_approval";
    case incident_error::already_decided: return "already_decided";
    case incident_error::bad_request: return "bad_request";
    case incident_error::store_unavailable: return "store_unavailable";
    case incident_error::no_action_node: return "no_action_node";
  }
  return "unknown";
}

} // namespace vigil
