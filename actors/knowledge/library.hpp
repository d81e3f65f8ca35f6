// Loading the knowledge folders: every Markdown file parsed, the bad ones
// reported one by one while the rest still load.
#pragma once

#include <string>
#include <vector>

#include "actors/knowledge/knowledge_entry.hpp"

namespace vigil::knowledge {

struct library {
  std::vector<knowledge_entry> entries; ///< Every file that parsed, in path order.
  /// One message per file or folder that did not load, naming it (and the field).
  std::vector<std::string> errors;
  /// Files and folders that exist but did not load. What the store holds from
  /// them stays: a typo in an edit must not delete a working runbook.
  std::vector<std::string> unreadable;
};

/// Reads every "*.md" file under `folders` (recursively, in path order).
/// Ids must be unique across all folders; a file repeating an id is an error.
library load_library(const std::vector<std::string>& folders);

} // namespace vigil::knowledge
