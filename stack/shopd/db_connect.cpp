#include "stack/shopd/db_connect.hpp"

#include <pqxx/pqxx>

#include "config/conninfo.hpp"
#include "stack/shopd/db_error.hpp"
#include "stack/shopd/secret_file.hpp"

namespace vigil::shop {

std::string connection_string(const db_config& db, const std::string& password) {
  auto result = "host=" + conninfo_value(db.host) + " port=" + std::to_string(db.port)
                + " dbname=" + conninfo_value(db.dbname) + " user=" + conninfo_value(db.user)
                + " password=" + conninfo_value(password)
                + " connect_timeout=" + std::to_string(db.connect_timeout_s)
                + " application_name=shopd";
  // Bounds every statement, waits on locks included, so a stuck table gives
  // errors rather than requests that hang and pile up.
  if (db.statement_timeout_ms > 0)
    result += " options="
              + conninfo_value("-c statement_timeout=" + std::to_string(db.statement_timeout_ms));
  return result;
}

std::unique_ptr<pqxx::connection> connect_db(const db_config& db) {
  std::string password;
  try {
    password = read_secret(db.password_file, "the database password");
  } catch (const secret_error& e) {
    throw db_error(503, e.what());
  }
  try {
    return std::make_unique<pqxx::connection>(connection_string(db, password));
  } catch (...) {
    auto error = current_db_error();
    throw db_error(503, error.what());
  }
}

} // namespace vigil::shop
