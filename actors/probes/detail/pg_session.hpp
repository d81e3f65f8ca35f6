// A libpq connection whose connect and every query end by a deadline in
// milliseconds (libpq's own connect_timeout counts whole seconds, and a
// blocking PQexec would wait on a locked table for ever).
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct pg_conn;

namespace vigil::probes::detail {

/// Why a connect or query failed; `timed_out` tells slowness (our own
/// deadline) from refusal; the codes say what the server or the socket said.
class pg_failure : public std::runtime_error {
public:
  pg_failure(const std::string& what, bool timed_out, std::string sqlstate = {},
             int sys_errno = 0)
    : std::runtime_error(what),
      timed_out(timed_out),
      sqlstate(std::move(sqlstate)),
      sys_errno(sys_errno) {
    // nop
  }
  bool timed_out;
  std::string sqlstate;  ///< e.g. "55P03" (lock_not_available); empty: none.
  int sys_errno;         ///< e.g. ECONNREFUSED; 0: none.
};

struct pg_target {
  std::string host;      ///< Host name, address or unix socket folder.
  uint16_t port = 5432;
  std::string dbname;
  std::string user;
  std::string password;
  std::string options;   ///< Server settings, e.g. "-c lock_timeout=100".
};

using pg_rows = std::vector<std::vector<std::string>>;

class pg_session {
public:
  /// Connects by `deadline`; throws pg_failure.
  pg_session(const pg_target& target, std::chrono::steady_clock::time_point deadline);
  ~pg_session();

  pg_session(const pg_session&) = delete;
  pg_session& operator=(const pg_session&) = delete;

  /// Runs `sql` (one statement) and returns its rows as text (NULL as "");
  /// throws pg_failure. After a timeout the session is unusable.
  pg_rows query(const std::string& sql, std::chrono::steady_clock::time_point deadline);

private:
  void wait(bool for_write, std::chrono::steady_clock::time_point deadline,
            const std::string& what);

  pg_conn* conn_ = nullptr;
};

} // namespace vigil::probes::detail
