// `shopd migrate`: applies the numbered SQL files not yet recorded in
// schema_migrations, each in its own transaction, then upserts the catalog.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <pqxx/connection> // pqxx::connection is an alias: no forward declaration

namespace vigil::shop {

struct migration_report {
  std::vector<std::string> applied; ///< Versions applied by this run.
  size_t already_applied = 0;
  size_t products = 0;              ///< Products in the catalog.
  size_t products_changed = 0;      ///< Inserted or updated by this run.
};

/// Runs the migrations in `migrations_dir` and upserts `catalog_path`,
/// reporting progress lines to `progress`. Idempotent; concurrent runs wait
/// for each other. Throws std::runtime_error naming the file and the DB error.
migration_report migrate(pqxx::connection& db, const std::string& migrations_dir,
                         const std::string& catalog_path, std::ostream& progress);

/// The migration files, in the order they apply (names like 001_x.sql).
std::vector<std::string> list_migrations(const std::string& migrations_dir);

} // namespace vigil::shop
