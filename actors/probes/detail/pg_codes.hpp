// The codes of a failed Postgres login. libpq gives a query's error its
// SQLSTATE (PG_DIAG_SQLSTATE) but a failed connection only a message: the
// server's words for the code it sent, or the C library's for a socket
// error. This maps those fixed texts back to their codes, in this one place,
// so diagnosis reasons on codes (28P01, 53300, ECONNREFUSED) and never on
// message text.
#pragma once

#include <string>

namespace vigil::probes::detail {

struct failure_code {
  std::string sqlstate;  ///< e.g. "28P01"; empty: the server sent none.
  int sys_errno = 0;     ///< e.g. ECONNREFUSED; 0: not a socket error.
};

/// The codes in libpq's message for a failed connection or a lost session.
failure_code code_of_libpq_message(const std::string& message);

} // namespace vigil::probes::detail
