// The postmortems table of the ops store (migration 032_postmortems.sql).
// Blocking (libpqxx): the narrator calls it from its own detached thread.
#pragma once

#include <optional>
#include <string>

namespace vigil::agents {

/// One stored postmortem.
struct stored_postmortem {
  std::string incident;
  std::string title;
  std::string state;       ///< resolved or escalated.
  std::string root_cause;
  std::string path;        ///< The Markdown file under reports_dir.
  std::string markdown;
  std::string doc = "{}";  ///< The JSON report.
};

class postmortem_store {
public:
  explicit postmortem_store(std::string dsn);

  /// Adds or replaces the postmortem of `pm.incident`. Throws
  /// std::runtime_error saying why (the ops store is down, ...).
  void save(const stored_postmortem& pm);

  /// The stored postmortem of `incident`, if any. Throws like save().
  std::optional<stored_postmortem> find(const std::string& incident);

private:
  std::string dsn_;
  bool migrated_ = false;
};

} // namespace vigil::agents
