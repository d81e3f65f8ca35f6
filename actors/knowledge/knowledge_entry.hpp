// One document of the knowledge store as it is indexed: a runbook, a stack
// doc or a postmortem, with its text split into the fields search weighs.
#pragma once

#include <string>

namespace vigil::knowledge {

struct knowledge_entry {
  std::string id;         ///< Unique; runbooks and docs: [a-z0-9-], postmortems "postmortem/...".
  std::string kind;       ///< runbook, doc or postmortem.
  std::string title;
  std::string root_cause; ///< Runbooks and postmortems: the root cause label.
  std::string symptoms;   ///< Searchable symptom text (weighs more than the body).
  std::string steps;      ///< Searchable remedy text: tools, checks, prevention (weighs least).
  std::string body;       ///< Markdown without the front matter.
  std::string path;       ///< The file it came from; empty for postmortems.
  std::string meta = "{}"; ///< Runbooks: the front matter as JSON.
};

} // namespace vigil::knowledge
