// The JSON form of incidents, plans and approvals: the ops store keeps each
// incident as this document, and `vigilctl --json`, the reports and the
// webhooks print the same fields, named as in the structs. Reading fills
// missing fields with their defaults (an older stored document still loads).
#pragma once

#include <nlohmann/json.hpp>

#include "messages/incidents.hpp"

namespace vigil {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(signal_value, name, text, number, numeric,
                                                at_unix_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(hypothesis, root_cause, runbook, title,
                                                confidence, evidence_for, evidence_against,
                                                blast_radius, component, bindings)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(plan_step, index, tool, args, risk, why, check,
                                                rollback, on_failure, state, idempotency_key,
                                                approval_id, approved_by, result, verification,
                                                started_unix_ms, finished_unix_ms,
                                                approval_wait_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(incident, id, state, title, services, symptoms,
                                                started_unix_ms, opened_unix_ms,
                                                mitigated_unix_ms, closed_unix_ms, hypotheses,
                                                hypothesis_index, plan, escalation, baseline,
                                                brief, postmortem_path, approval_wait_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(approval, id, incident, step, tool, args, risk,
                                                why, state, requested_unix_ms, expires_unix_ms,
                                                decided_unix_ms, decided_by, reason)

} // namespace vigil
