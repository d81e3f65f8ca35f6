// Non-blocking libpq: PQconnectStartParams / PQconnectPoll and
// PQsendQuery / PQconsumeInput, each wait a poll() bounded by the deadline.
#include "actors/probes/detail/pg_session.hpp"

#include "actors/probes/detail/pg_codes.hpp"

#include <cerrno>
#include <cstring>

#include <libpq-fe.h>
#include <poll.h>

namespace vigil::probes::detail {

namespace {

std::string trimmed(const char* text) {
  std::string s = text == nullptr ? "" : text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

/// A failure libpq reports only in words: its codes read back from them.
pg_failure libpq_failure(const std::string& what) {
  auto code = code_of_libpq_message(what);
  return pg_failure(what, false, code.sqlstate, code.sys_errno);
}

int ms_left(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

} // namespace

pg_session::pg_session(const pg_target& t, std::chrono::steady_clock::time_point deadline) {
  auto port = std::to_string(t.port);
  const char* keys[] = {"host", "port", "dbname", "user", "password", "options",
                        "application_name", nullptr};
  const char* values[] = {t.host.c_str(),     port.c_str(),      t.dbname.c_str(),
                          t.user.c_str(),     t.password.c_str(), t.options.c_str(),
                          "vigil-probe",      nullptr};
  conn_ = PQconnectStartParams(keys, values, 0);
  if (conn_ == nullptr)
    throw pg_failure("out of memory starting a connection", false);
  if (PQstatus(conn_) == CONNECTION_BAD) {
    auto why = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    throw libpq_failure("connect: " + why);
  }
  auto state = PGRES_POLLING_WRITING;
  try {
    while (state != PGRES_POLLING_OK) {
      if (state == PGRES_POLLING_FAILED)
        throw libpq_failure("connect: " + trimmed(PQerrorMessage(conn_)));
      wait(state == PGRES_POLLING_WRITING, deadline, "connect");
      state = PQconnectPoll(conn_);
    }
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

pg_session::~pg_session() {
  if (conn_ != nullptr)
    PQfinish(conn_);
}

void pg_session::wait(bool for_write, std::chrono::steady_clock::time_point deadline,
                      const std::string& what) {
  pollfd fd{PQsocket(conn_), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  if (fd.fd < 0)
    throw libpq_failure(what + ": no socket: " + trimmed(PQerrorMessage(conn_)));
  for (;;) {
    auto left = ms_left(deadline);
    if (left == 0)
      throw pg_failure(what + " timed out", true);
    auto n = ::poll(&fd, 1, left);
    if (n > 0)
      return;
    if (n == 0)
      throw pg_failure(what + " timed out", true);
    if (errno != EINTR)
      throw pg_failure(what + ": poll: " + std::strerror(errno), false);
  }
}

pg_rows pg_session::query(const std::string& sql, std::chrono::steady_clock::time_point deadline) {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK)
    throw pg_failure("not connected", false);
  if (PQsendQuery(conn_, sql.c_str()) == 0)
    throw libpq_failure(trimmed(PQerrorMessage(conn_)));
  // Make sure the query left: flush may need the socket writable.
  for (;;) {
    auto rc = PQflush(conn_);
    if (rc == 0)
      break;
    if (rc < 0)
      throw libpq_failure(trimmed(PQerrorMessage(conn_)));
    wait(true, deadline, "query");
  }
  pg_rows rows;
  std::string error, sqlstate;
  for (;;) {
    while (PQisBusy(conn_) != 0) {
      wait(false, deadline, "query");
      if (PQconsumeInput(conn_) == 0)
        throw libpq_failure(trimmed(PQerrorMessage(conn_)));
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr)
      break;
    auto status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK) {
      for (int r = 0; r < PQntuples(res); ++r) {
        std::vector<std::string> row;
        for (int c = 0; c < PQnfields(res); ++c)
          row.emplace_back(PQgetvalue(res, r, c));
        rows.push_back(std::move(row));
      }
    } else if (status != PGRES_COMMAND_OK && error.empty()) {
      error = trimmed(PQresultErrorMessage(res));
      auto* code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      sqlstate = code == nullptr ? "" : code;
    }
    PQclear(res);
  }
  if (!error.empty())
    throw pg_failure(error, false, sqlstate);
  return rows;
}

} // namespace vigil::probes::detail
