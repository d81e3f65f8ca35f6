// The codes read back from libpq's words for a failed login: the server's
// fixed message for each SQLSTATE, the C library's for a socket errno.
#define CAF_SUITE pg_codes

#include "actors/probes/detail/pg_codes.hpp"

#include <caf/test/unit_test.hpp>

#include <cerrno>

using vigil::probes::detail::code_of_libpq_message;

CAF_TEST(server messages at login map to their SQLSTATE) {
  auto at = std::string{"connect: connection to server at \"10.1.2.3\", port 6000 failed: FATAL:  "};
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "password authentication failed for user \"ledger\"").sqlstate,
                  "28P01");
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "remaining connection slots are reserved for "
                                             "non-replication superuser connections").sqlstate,
                  "53300");
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "sorry, too many clients already").sqlstate, "53300");
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "role \"ledger\" does not exist").sqlstate, "28000");
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "database \"books\" does not exist").sqlstate, "3D000");
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "the database system is shutting down").sqlstate,
                  "57P03");
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "no pg_hba.conf entry for host \"10.0.0.1\", user "
                                             "\"x\", database \"y\", no encryption").sqlstate,
                  "28000");
  // pgbouncer's own refusals: a password its auth file does not hold, its client limit.
  CAF_CHECK_EQUAL(code_of_libpq_message("connect: ... failed: ERROR:  password authentication "
                                        "failed").sqlstate,
                  "28P01");
  CAF_CHECK_EQUAL(code_of_libpq_message("connect: connection to server at \"127.0.0.1\", port "
                                        "6543 failed: FATAL:  SASL authentication failed")
                    .sqlstate,
                  "28P01");
  CAF_CHECK_EQUAL(code_of_libpq_message("connect: ... failed: ERROR:  no more connections "
                                        "allowed (max_client_conn)").sqlstate,
                  "53300");
  // A role named like a message is not taken for one.
  CAF_CHECK_EQUAL(code_of_libpq_message(at + "role \"x\" is over its limit").sqlstate, "");
}

CAF_TEST(socket failures map to their error number) {
  auto refused = code_of_libpq_message("connect: connection to server at \"127.0.0.1\", port "
                                       "5433 failed: Connection refused\n\tIs the server running "
                                       "on that host and accepting TCP/IP connections?");
  CAF_CHECK_EQUAL(refused.sys_errno, ECONNREFUSED);
  CAF_CHECK_EQUAL(refused.sqlstate, "");
  auto gone = code_of_libpq_message("connect: connection to server on socket "
                                    "\"/run/pg/.s.PGSQL.5432\" failed: No such file or directory");
  CAF_CHECK_EQUAL(gone.sys_errno, ENOENT);
  CAF_CHECK_EQUAL(code_of_libpq_message("something else entirely").sys_errno, 0);
}
