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
  std::string op;         ///< is, is_not, contains, above or below.
  std::string text;       ///< The compared value as text.
  double number = 0;      ///< The compared value for above and below.
  double weight = 0;
};

struct runbook_info {
  std::string id;
  std::string title;
  std::string root_cause;
  std::vector<std::string> services; ///< The first is the part that breaks.
  std::vector<condition> symptoms;
  nlohmann::json steps = nlohmann::json::array();
  std::string escalate;
};

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
