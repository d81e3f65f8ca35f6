// The runbooks as the agents use them: each runbook's symptom signature
// (for diagnosis) and steps (for the planner), read from the knowledge
// folders with the knowledge store's own parser.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vigil::agents {

/// One condition of a symptom signature (docs/RUNBOOKS.md, "condition").
struct condition {
  std::string signal;     ///< A signal name; "*" matches any text.
  std::string op;         ///< is, is_not, contains, above, below or in.
  std::string text;       ///< The compared value as text.
  double number = 0;      ///< The compared value for above and below.
  double weight = 0;
  std::vector<std::string> any_of; ///< The values for in.
};

/// The placeholder a failure mode uses for the component it is about.
inline const std::string service_placeholder = "$service";

struct runbook_info {
  std::string id;
  std::string title;
  std::string root_cause;
  /// The first is the part that breaks; "$service" for a failure mode that
  /// applies to any service (bound to each candidate by diagnosis).
  std::vector<std::string> services;
  std::vector<condition> symptoms;  ///< Evidence for, weighted.
  std::vector<condition> requires_all; ///< Each must hold, or the cause is out.
  std::vector<condition> rules_out; ///< Any of these holding rules the cause out.
  nlohmann::json steps = nlohmann::json::array();
  std::string escalate;
  /// The service a failure mode was bound to; empty for a runbook that
  /// names its services itself.
  std::string component;

  /// A failure mode of any service: its first service is "$service".
  bool generic() const { return !services.empty() && services.front() == service_placeholder; }
};

/// `runbook` with every "$service" (signals, title, services, steps) replaced
/// by `service`, and `component` set to it.
runbook_info bind_service(const runbook_info& runbook, const std::string& service);

struct runbook_book {
  std::vector<runbook_info> runbooks; ///< In path order.
  std::vector<std::string> errors;    ///< Files that did not load, named.

  const runbook_info* find(const std::string& id) const;
};

/// Reads the runbooks (not the docs) of `folders`.
runbook_book load_runbook_book(const std::vector<std::string>& folders);

/// One runbook from its front matter (JSON); throws std::invalid_argument.
runbook_info runbook_from_front_matter(const nlohmann::json& front_matter);

} // namespace vigil::agents
