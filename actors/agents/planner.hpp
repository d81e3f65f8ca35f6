// The planner ("<node>/control/agents/planner"): turns a hypothesis'
// runbook into a guarded plan — ordered steps with tool, arguments ("$name"
// placeholders filled from the incident and the signals), risk, the check
// after each step, its rollback, and what to do when the check fails.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/agents/agents_context.hpp"
#include "actors/agents/runbook_book.hpp"
#include "actors/agents/signal_table.hpp"
#include "messages/incidents.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

/// What "$name" placeholders stand for in this incident: "$node" (the Vigil
/// node that is down, else the one whose actor restarted), "$actor" (the
/// actor that restarted), "$service" (the first affected service),
/// "$incident".
std::map<std::string, std::string> placeholder_values(const incident& inc,
                                                      const signal_table& signals);

/// The plan for `inc.hypotheses[hypothesis_index]` from its runbook: one
/// plan_step per runbook step, idempotency key
/// "<incident id>/h<hypothesis index>/s<step index>"; on_failure is
/// next_step, on the last step next_hypothesis when a later hypothesis
/// reaches `min_confidence`, else escalate. An "unknown" hypothesis or one
/// without a runbook gives no steps.
std::vector<plan_step> make_plan(const incident& inc, uint32_t hypothesis_index,
                                 const runbook_info* runbook, const signal_table& signals,
                                 double min_confidence);

/// The child "planner" of the agents supervisor.
supervision::child_spec planner_child(agents_context ctx);

} // namespace vigil::agents
