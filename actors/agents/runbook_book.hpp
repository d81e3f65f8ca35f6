// The runbooks as the agents use them: each runbook's symptom signature
// (for diagnosis) and steps (for the planner), read from the knowledge
// folders with the knowledge store's own parser.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model_bindings.hpp"
#include "messages/incidents.hpp"

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

/// A check run now, before acting on the cause: the probe named `probe`
/// (empty: every probe behind `check`'s signal) is checked out of turn and
/// `check` must hold on the fresh results alone.
struct confirmation {
  std::string probe;
  condition check;
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
  /// A failure mode of one kind of component ("postgres"): bound only to
  /// components of that kind; empty: any.
  std::string applies_to;
  std::vector<condition> symptoms;  ///< Evidence for, weighted.
  std::vector<condition> requires_all; ///< Each must hold, or the cause is out.
  std::vector<condition> rules_out; ///< Any of these holding rules the cause out.
  std::vector<confirmation> confirm; ///< Each must hold now, checked afresh, to act.
  nlohmann::json steps = nlohmann::json::array();
  std::string escalate;
  /// The service a failure mode was bound to, and the binding; empty for a
  /// runbook that names its services itself.
  std::string component;
  binding bound_by;

  /// A failure mode of any service: its first service is "$service".
  bool generic() const { return !services.empty() && services.front() == service_placeholder; }
};

/// `runbook` with the placeholders of `b` filled in everywhere (signals and
/// values of conditions, title, services, steps, escalation) and
/// `component` set to b's "$service".
runbook_info bind_runbook(const runbook_info& runbook, const binding& b);

/// Whether a bound runbook still holds a placeholder its binding lacked: in
/// a condition (a failure mode of databases bound to an API), or one of the
/// model's in a step (a volume's mode bound to a service without volumes).
/// Not scored. Steps' placeholders filled from signals ("$node") are not
/// the binding's.
bool unbound(const runbook_info& bound);

struct runbook_book {
  std::vector<runbook_info> runbooks; ///< In path order.
  std::vector<std::string> errors;    ///< Files that did not load, named.

  const runbook_info* find(const std::string& id) const;
};

/// The runbook of `h`, bound as diagnosis bound it when it is a failure mode
/// (its bindings, else its component); nullopt when the book has no such runbook.
std::optional<runbook_info> runbook_for(const runbook_book& book, const hypothesis& h);

/// Reads the runbooks (not the docs) of `folders`.
runbook_book load_runbook_book(const std::vector<std::string>& folders);

/// One runbook from its front matter (JSON); throws std::invalid_argument.
runbook_info runbook_from_front_matter(const nlohmann::json& front_matter);

} // namespace vigil::agents
