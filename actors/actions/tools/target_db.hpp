// The target database as the tools reach it: superuser over the cluster's
// unix socket (trust auth, no password), and the app's own login over TCP.
// Read from a tool's settings: {"cluster_dir", "port", "databases",
// "pgcluster", "login_host"}.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "config/actions_config.hpp"

namespace vigil::actions {

struct target_db {
  std::string tool;              ///< Whose settings, for error messages.
  std::string cluster_dir;       ///< Resolved; also the unix socket folder.
  uint16_t port = 5433;
  std::vector<std::string> databases{"shop"}; ///< Databases the tool may touch.
  std::string pgcluster;         ///< Resolved path of stack/postgres/pgcluster.
  std::string login_host = "127.0.0.1"; ///< Where app roles log in (TCP).

  /// Reads `tool`'s settings; never throws (missing fields fail at use).
  static target_db of(const actions_config& cfg, const std::string& tool);

  /// Throws bad_args unless `database` is one of `databases`.
  void check_database(const std::string& database) const;

  /// A superuser session on `database` with lock_timeout and
  /// statement_timeout set, so a tool never hangs behind a lock; throws
  /// tool_failure with the server's message.
  std::unique_ptr<pqxx::connection> superuser(const std::string& database) const;

  /// Whether `role` logs in over TCP with `password` (and why not).
  bool can_log_in(const std::string& database, const std::string& role,
                  const std::string& password, std::string* why = nullptr) const;

  /// The SCRAM-SHA-256 verifier of `password` for `role`, computed here by
  /// libpq, so ALTER ROLE never carries the password in clear (server logs).
  std::string scram_verifier(const std::string& role, const std::string& password) const;

  /// Whether the server accepts a superuser connection now.
  bool accepts_connections(std::string* why = nullptr) const;
};

/// A text[] literal ('{"a","b"}') to pass as one parameter.
std::string sql_text_array(const std::vector<std::string>& items);

/// Quotes an SQL literal for statements that take no parameters (ALTER ROLE).
std::string sql_literal(pqxx::connection& conn, const std::string& value);

} // namespace vigil::actions
