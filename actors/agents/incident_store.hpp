// Incidents and approvals in the ops store (tables of
// actors/store/migrations/030_incidents.sql): each incident is one JSON
// document rewritten at every transition, each approval one row. Blocking
// (libpqxx): call it from a detached actor.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages/incidents.hpp"

namespace vigil::agents {

/// The ops store cannot be reached or refused the statement.
class incident_store_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// An approval and the idempotency key of the step it is for.
struct stored_approval {
  approval request;
  std::string step_key;
};

class incident_store {
public:
  /// Connects lazily; the first connection applies the ops store migrations.
  explicit incident_store(std::string dsn);
  ~incident_store();
  incident_store(const incident_store&) = delete;
  incident_store& operator=(const incident_store&) = delete;

  /// Inserts or rewrites the incident.
  void save(const incident& x);

  /// Incidents, newest first: only open ones when `open_only`, at most `limit`.
  std::vector<incident> list(bool open_only, uint32_t limit);

  std::optional<incident> get(const std::string& id);

  /// Incidents opened at or after `since_unix_ms` or still open.
  std::vector<incident> recent(int64_t since_unix_ms);
  /// When an action node was last stopped cleanly (its "stopped" audit row,
  /// docs/ACTIONS.md), 0 when never: restarts before it belong to the
  /// stack's previous life and count in no restart window.
  int64_t last_clean_stop_unix_ms();

  /// The next "apr-N" (a sequence: unique across restarts).
  std::string next_approval_id();

  /// Inserts or rewrites an approval.
  void save_approval(const stored_approval& x);

  /// Every pending approval and the newest `decided_limit` decided ones.
  std::vector<stored_approval> approvals(uint32_t decided_limit);

  /// A named switch of agents_settings; nullopt when never set.
  std::optional<std::string> setting(const std::string& name);
  void set_setting(const std::string& name, const std::string& value);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace vigil::agents
