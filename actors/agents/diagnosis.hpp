// Diagnosis ("<node>/control/agents/diagnosis"): for an incident, gathers
// evidence — perception's signal table, the probe manager's latest results
// and scraped metrics, the knowledge store's retrieval for the symptoms —
// and scores every runbook's symptom signature (symptom_match.hpp). Answers
// ranked hypotheses; an unknown pattern gives one low-confidence "unknown".
#pragma once

#include <nlohmann/json.hpp>

#include "actors/agents/agents_context.hpp"
#include "actors/agents/symptom_match.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

/// agents.json "diagnosis": min_confidence, max_hypotheses, dependents; the
/// service model's graph and bindings come first, the file's own
/// "dependents" add edges outside the model.
diagnosis_settings parse_diagnosis_settings(const nlohmann::json& j,
                                            const service_model& model = {});

/// The child "diagnosis" of the agents supervisor.
supervision::child_spec diagnosis_child(agents_context ctx);

} // namespace vigil::agents
