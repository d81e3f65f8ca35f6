// Opening a database connection from the config's db section; the password
// is read from its secret file on every connect, so rotation needs no restart.
#pragma once

#include <memory>
#include <string>

#include <pqxx/connection> // pqxx::connection is an alias: no forward declaration

#include "stack/shopd/config.hpp"

namespace vigil::shop {

/// Throws db_error(503) with the reason (unreadable secret, DB message).
std::unique_ptr<pqxx::connection> connect_db(const db_config& db);

/// The libpq connection string (quoted), for tests and diagnostics.
std::string connection_string(const db_config& db, const std::string& password);

} // namespace vigil::shop
