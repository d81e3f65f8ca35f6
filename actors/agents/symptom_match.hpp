// Scoring runbooks' symptom signatures against the signal table: weighted
// matches give each runbook a confidence; the knowledge store's retrieval
// rank breaks ties. Plain logic, so tests score recorded tables.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/agents/runbook_book.hpp"
#include "actors/agents/signal_table.hpp"
#include "messages/incidents.hpp"

namespace vigil::agents {

struct diagnosis_settings {
  /// Below this the top hypothesis is "unknown": escalate, never act.
  double min_confidence = 0.5;
  /// At most this many hypotheses, best first.
  size_t max_hypotheses = 5;
  /// Who depends on whom: service -> the services that depend on it
  /// ("target-db": ["dbproxy"], "dbproxy": ["shopd"], "shopd": ["web"]).
  std::map<std::string, std::vector<std::string>> dependents;
  /// What each component's failure modes are bound to, from the service
  /// model (config/model_bindings.hpp); a component not in it gets
  /// {"$service": its name}.
  std::map<std::string, std::vector<binding>> bindings;
};

/// A diagnosis of the stack `model` describes: its dependency graph and the
/// bindings of its components.
diagnosis_settings settings_from_model(const service_model& model);

/// How one condition fared: whether it held, and in words why.
struct condition_result {
  bool held = false;
  std::string words;
};

condition_result evaluate(const condition& c, const signal_table& signals);

/// Every service that depends on `service`, directly or not, in breadth order.
std::vector<std::string> blast_radius(const std::string& service,
                                      const diagnosis_settings& settings);

/// Every service that `service` depends on, directly or not (the dependents
/// map read backwards), nearest first.
std::vector<std::string> dependencies_of(const std::string& service,
                                         const diagnosis_settings& settings);

/// The components a failure mode of any service is tried on: the focus
/// services and everything they depend on; without focus, every service
/// seen (service.<name>.state) or named in the dependents map.
std::set<std::string> candidate_components(const signal_table& signals,
                                           const diagnosis_settings& settings,
                                           const std::set<std::string>& focus);

/// One runbook scored: confidence = held weight / total weight, 0 when one
/// of its `requires` conditions does not hold or one of its rules_out does.
hypothesis score(const runbook_info& runbook, const signal_table& signals,
                 const diagnosis_settings& settings);

/// Every runbook scored and ranked, best first; `retrieval` maps runbook ids
/// to their rank in the knowledge store's search (higher is better), used
/// only to break ties. With `focus` (the incident's services; "vigil" for
/// Vigil's own nodes) a runbook about none of them counts half: a host busy
/// for an hour does not explain a crash a minute ago. When the best is below
/// min_confidence the answer is one hypothesis "unknown" that names the
/// closest candidates.
std::vector<hypothesis> rank_hypotheses(const std::vector<runbook_info>& runbooks,
                                        const signal_table& signals,
                                        const std::map<std::string, double>& retrieval,
                                        const diagnosis_settings& settings,
                                        const std::set<std::string>& focus = {});

/// The services an incident is about: its own list, or else the services
/// that turned bad most recently (service.<name>.health not ok, changed
/// within `window_ms` of the latest change). Vigil's nodes add "vigil".
std::set<std::string> focus_services(const std::vector<std::string>& incident_services,
                                     const signal_table& signals, int64_t window_ms = 30000);

} // namespace vigil::agents
