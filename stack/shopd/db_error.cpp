#include "stack/shopd/db_error.hpp"

#include <pqxx/pqxx>

namespace vigil::shop {

namespace {

// libpq ends its messages with newlines and indents hints; one line reads
// better in logs and JSON.
std::string one_line(std::string text) {
  std::string result;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !result.empty();
      continue;
    }
    if (space)
      result += ' ';
    space = false;
    result += c;
  }
  return result;
}

// SQLSTATE classes that say "the database cannot serve now", not "bad query":
// 08 connection, 53 resources, 57 operator intervention (shutdown, statement
// timeout), 28 authorization, 40 transaction rollback, 55P03 lock timeout.
bool unavailable(const std::string& sqlstate) {
  auto cls = sqlstate.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || cls == "28" || cls == "40"
         || sqlstate == "55P03";
}

} // namespace

db_error current_db_error() {
  try {
    throw;
  } catch (const db_error& e) {
    return e;
  } catch (const pqxx::broken_connection& e) {
    return db_error(503, "database unavailable: " + one_line(e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    return db_error(503, "database connection lost during commit: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    auto status = unavailable(e.sqlstate()) ? 503 : 500;
    return db_error(status, "database error: " + one_line(e.what()));
  } catch (const std::exception& e) {
    return db_error(500, "database error: " + one_line(e.what()));
  }
}

} // namespace vigil::shop
