// A database failure as the API reports it: the HTTP status it maps to and
// the database's own message. libpqxx exceptions become these in the pool.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace vigil::shop {

class db_error : public std::runtime_error {
public:
  db_error(int status, const std::string& message)
    : std::runtime_error(message), status_(status) {
    // nop
  }

  /// 503 when the database is unreachable, refuses us or times out (worth a
  /// retry elsewhere or later), 500 for errors in what we asked.
  int status() const { return status_; }

private:
  int status_;
};

/// Translates the exception being handled (from libpqxx or otherwise);
/// call only inside a catch block.
db_error current_db_error();

} // namespace vigil::shop
