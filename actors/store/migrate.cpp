#include "actors/store/migrate.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

namespace vigil::store {

namespace {

namespace fs = std::filesystem;

// Any fixed number, the same for every caller; differs from shopd's key
// because a test may put both schemas in one cluster.
constexpr long long migrate_lock_key = 0x76696f70; // "viop"

bool is_migration_name(const std::string& name) {
  auto digits = name.find_first_not_of("0123456789");
  return digits != std::string::npos && digits > 0 && name[digits] == '_'
         && name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0;
}

std::string read_text(const fs::path& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

std::string default_migrations_dir() {
  return VIGIL_OPS_MIGRATIONS_DIR;
}

std::vector<std::string> list_migrations(const std::string& migrations_dir) {
  std::vector<std::string> result;
  std::error_code ec;
  for (auto& item : fs::directory_iterator{migrations_dir, ec}) {
    auto name = item.path().filename().string();
    if (item.is_regular_file() && is_migration_name(name))
      result.push_back(name);
  }
  if (ec)
    throw std::runtime_error("cannot list ops store migrations in " + migrations_dir + ": "
                             + ec.message());
  // Zero-padded numbers sort as text.
  std::sort(result.begin(), result.end());
  return result;
}

migration_report migrate(const std::string& dsn, const std::string& migrations_dir) {
  auto files = list_migrations(migrations_dir);
  if (files.empty())
    throw std::runtime_error("no migrations (NNN_name.sql) in " + migrations_dir);
  migration_report report;
  try {
    pqxx::connection db{dsn};
    // A session lock: held across the per-file transactions, released when
    // this connection closes (also when a file fails and we throw).
    {
      pqxx::nontransaction session{db};
      session.exec("SELECT pg_advisory_lock(" + std::to_string(migrate_lock_key) + ")");
      session.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version text PRIMARY KEY,"
                   " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    std::set<std::string> applied;
    {
      pqxx::read_transaction tx{db};
      for (auto row : tx.exec("SELECT version FROM schema_migrations"))
        applied.insert(row[0].as<std::string>());
    }
    for (auto& file : files) {
      auto version = file.substr(0, file.size() - 4);
      if (applied.count(version) != 0) {
        ++report.already_applied;
        continue;
      }
      auto sql = read_text(fs::path{migrations_dir} / file);
      try {
        pqxx::work tx{db};
        tx.exec(sql);
        tx.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)", version);
        tx.commit();
      } catch (const pqxx::sql_error& e) {
        throw std::runtime_error("ops store migration " + file + " failed (rolled back): "
                                 + e.what());
      }
      report.applied.push_back(version);
    }
    pqxx::nontransaction session{db};
    session.exec("SELECT pg_advisory_unlock(" + std::to_string(migrate_lock_key) + ")");
  } catch (const pqxx::failure& e) {
    // Connection refused, lost, bad credentials: say which step failed.
    throw std::runtime_error(std::string{"ops store migrations: "} + e.what());
  }
  return report;
}

} // namespace vigil::store
