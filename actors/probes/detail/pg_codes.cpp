#include "actors/probes/detail/pg_codes.hpp"

#include <cstring>
#include <utility>

namespace vigil::probes::detail {

namespace {

/// The server's messages at login (src/backend: auth.c, postinit.c,
/// postmaster.c; lc_messages C) and pgbouncer's own, with the SQLSTATE each
/// is sent with.
const std::pair<const char*, const char*> login_messages[] = {
  {"password authentication failed", "28P01"}, // the server "... for user", pgbouncer alone
  {"SASL authentication failed", "28P01"},     // pgbouncer: a SCRAM password it does not hold
  {"no pg_hba.conf entry for", "28000"},
  {"is not permitted to log in", "28000"},
  {"role \"", "28000"}, // role "x" does not exist (checked after the others)
  {"database \"", "3D000"}, // database "x" does not exist
  {"remaining connection slots are reserved", "53300"},
  {"sorry, too many clients already", "53300"},
  {"too many connections for role", "53300"},
  {"too many connections for database", "53300"},
  {"no more connections allowed", "53300"}, // pgbouncer: max_client_conn
  {"the database system is starting up", "57P03"},
  {"the database system is shutting down", "57P03"},
  {"the database system is not yet accepting connections", "57P03"},
  {"the database system is in recovery mode", "57P03"},
  {"terminating connection due to administrator command", "57P01"},
  {"permission denied for database", "42501"},
  {"query_wait_timeout", "57014"}, // pgbouncer: no server connection in time
};

} // namespace

failure_code code_of_libpq_message(const std::string& message) {
  failure_code code;
  for (auto& [text, sqlstate] : login_messages) {
    auto at = message.find(text);
    if (at == std::string::npos)
      continue;
    // "role"/"database" quote a name; only "... does not exist" is theirs.
    if ((std::strcmp(sqlstate, "28000") == 0 || std::strcmp(sqlstate, "3D000") == 0)
        && text[std::strlen(text) - 1] == '"'
        && message.find("does not exist", at) == std::string::npos)
      continue;
    code.sqlstate = sqlstate;
    break;
  }
  // libpq appends strerror(errno) after ": " for a socket failure.
  for (int e = 1; e < 134 && code.sqlstate.empty(); ++e) {
    auto text = std::string{": "} + std::strerror(e);
    if (message.find(text) != std::string::npos) {
      code.sys_errno = e;
      break;
    }
  }
  return code;
}

} // namespace vigil::probes::detail
