// A private PostgreSQL cluster for tests (stack/postgres/pgcluster in a temp
// folder on a free port) with an application role and database in it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigil::test {

/// Failure of a pgcluster command; the message carries its stderr.
class postgres_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Creates and starts the cluster in the constructor; the destructor stops it
/// but leaves its folder (data and postgres.log) for debugging.
class test_postgres {
public:
  /// `app` names both the application role (LOGIN, random password) and the
  /// database it owns.
  explicit test_postgres(std::string app = "shop");
  ~test_postgres();
  test_postgres(const test_postgres&) = delete;
  test_postgres& operator=(const test_postgres&) = delete;

  uint16_t port() const { return port_; }
  /// The cluster folder; also the unix socket directory.
  const std::string& dir() const { return dir_; }
  /// The server log, where connection attempts and errors show.
  std::string log_path() const { return dir_ + "/postgres.log"; }

  const std::string& app_user() const { return app_; }
  const std::string& app_database() const { return app_; }
  const std::string& app_password() const { return app_password_; }
  /// Sets a new password on the application role (for rotation drills).
  void set_app_password(const std::string& password);

  /// Runs `sql` as the superuser in `database` (default: the app database)
  /// and returns psql's unaligned, tuples-only stdout. Throws postgres_error
  /// with stderr on failure.
  std::string psql(const std::string& sql, const std::string& database = "");

  /// Like psql(), trimmed of the trailing newline: for one-value queries.
  std::string query_value(const std::string& sql, const std::string& database = "");

  void start();
  /// `mode`: fast, smart or immediate (as pg_ctl).
  void stop(const std::string& mode = "fast");
  bool running();

  /// The pgcluster script, for tests that want to drive it themselves.
  static std::string pgcluster_path();

private:
  void run_pgcluster(const std::vector<std::string>& args);

  std::string app_;
  std::string app_password_;
  std::string dir_;
  uint16_t port_ = 0;
};

} // namespace vigil::test
