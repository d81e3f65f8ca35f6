// The ops store's schema: numbered SQL files in actors/store/migrations,
// applied in order, each once, by whoever connects first (the writer, the
// knowledge store...).
#pragma once

#include <string>
#include <vector>

namespace vigil::store {

/// The migrations folder of the source tree (compiled in).
std::string default_migrations_dir();

/// What one migrate() call did.
struct migration_report {
  std::vector<std::string> applied;  ///< Versions applied by this call, in order.
  size_t already_applied = 0;
};

/// Applies the files of `migrations_dir` (names "NNN_name.sql", in name
/// order) that schema_migrations does not list yet, each in its own
/// transaction. Idempotent; concurrent callers wait for each other on an
/// advisory lock. Throws std::runtime_error naming the file and the cause
/// (connection refused, SQL error: the failed file is rolled back).
migration_report migrate(const std::string& dsn,
                         const std::string& migrations_dir = default_migrations_dir());

/// The migration file names of a folder, in the order they apply.
std::vector<std::string> list_migrations(const std::string& migrations_dir);

} // namespace vigil::store
