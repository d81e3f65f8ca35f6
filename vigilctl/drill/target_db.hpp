// The campaign's check for lost writes: the order ids in the target DB,
// read as the app reads them (the probes file's "target-db" probe: host,
// port, database, user and the password file of the moment).
#pragma once

#include <set>
#include <string>

namespace vigilctl::drill {

/// A libpq connection string from the postgres probe `probe` of the probes
/// file at `probes_file`. Throws std::runtime_error saying what is missing.
std::string target_db_dsn(const std::string& probes_file, const std::string& probe = "target-db");

/// The shop's public address the synthetic traffic of `probes_file` uses;
/// empty when the file has no traffic. Throws std::runtime_error for a
/// file that does not load.
std::string traffic_base_url(const std::string& probes_file);

/// Every order id in the target DB ("SELECT id FROM orders"). Throws
/// std::runtime_error when the DB cannot be read.
std::set<std::string> order_ids(const std::string& dsn);

} // namespace vigilctl::drill
