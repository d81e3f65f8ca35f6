// The knowledge index in the ops store (table knowledge_docs, migration
// 020_knowledge.sql): syncing the loaded files into it, adding postmortems,
// and ranked full-text retrieval. Blocking (libpqxx): call it from a
// detached actor or a thread of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/knowledge/library.hpp"
#include "messages/observability.hpp"

namespace vigil::knowledge {

/// Why a store call failed: bad_query, unknown_runbook or store_unavailable.
class knowledge_error : public std::runtime_error {
public:
  knowledge_error(observability_error code, const std::string& what)
    : std::runtime_error(what), code_(code) {
    // nop
  }
  observability_error code() const noexcept { return code_; }

private:
  observability_error code_;
};

/// What one sync changed.
struct sync_report {
  size_t written = 0;   ///< New or changed documents.
  size_t unchanged = 0;
  size_t removed = 0;   ///< Runbooks and docs whose files are gone.
};

/// A finished incident's postmortem, fed back so the next similar incident
/// finds it.
struct postmortem {
  std::string incident_id; ///< Its id becomes "postmortem/<incident_id>".
  std::string title;
  std::string root_cause;  ///< The label diagnosis settled on.
  std::string symptoms;    ///< What was seen (weighs like a runbook's symptoms).
  std::string body;        ///< Markdown: timeline, actions, outcome.
  std::string meta = "{}"; ///< JSON object, e.g. {"runbook": ..., "resolved": true}.
};

class knowledge_store {
public:
  /// Connects lazily; the first connection applies the ops store migrations.
  explicit knowledge_store(std::string dsn);
  ~knowledge_store();
  knowledge_store(const knowledge_store&) = delete;
  knowledge_store& operator=(const knowledge_store&) = delete;

  /// Makes the store's runbooks and docs those of `lib`: writes new and
  /// changed ones, removes those whose file is gone (not those listed as
  /// unreadable), leaves postmortems alone. One transaction.
  sync_report sync(const library& lib);

  /// Adds or replaces a postmortem; returns its id.
  std::string index_postmortem(const postmortem& pm);

  /// The documents best matching a free-text symptom description, best
  /// first, at most `limit` (0: 10; capped at 100). Any word may match: the
  /// description's words are OR-ed, and ts_rank_cd weighs title and root
  /// cause over symptoms over body over steps.
  std::vector<knowledge_hit> search(const std::string& text, uint32_t limit);

  /// One whole document; unknown_runbook when there is none with that id.
  knowledge_doc get(const std::string& id);

private:
  struct impl;
  std::unique_ptr<impl> impl_; // Keeps libpqxx out of the callers.
};

/// Throws knowledge_error(bad_query) unless `text` is usable search text.
void check_search_text(const std::string& text);

} // namespace vigil::knowledge
