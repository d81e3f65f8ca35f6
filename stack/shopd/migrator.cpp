#include "stack/shopd/migrator.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

#include "stack/shopd/catalog.hpp"

namespace vigil::shop {

namespace {

namespace fs = std::filesystem;

// Any fixed number; it only has to be the same for every shopd migrate.
constexpr long long migrate_lock_key = 0x73686f70; // "shop"

bool is_migration_name(const std::string& name) {
  auto digits = name.find_first_not_of("0123456789");
  return digits != std::string::npos && digits > 0 && name[digits] == '_'
         && name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0;
}

std::string version_of(const std::string& file_name) {
  return file_name.substr(0, file_name.size() - 4);
}

std::string read_text(const fs::path& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> applied_versions(pqxx::connection& db) {
  pqxx::work tx{db};
  std::set<std::string> result;
  // Before 001 ran there is no table to ask.
  auto exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0].as<bool>();
  if (exists)
    for (auto row : tx.exec("SELECT version FROM schema_migrations"))
      result.insert(row[0].as<std::string>());
  tx.commit();
  return result;
}

size_t upsert_catalog(pqxx::connection& db, const std::vector<product>& products) {
  pqxx::work tx{db};
  size_t changed = 0;
  for (auto& p : products) {
    auto result = tx.exec_params(
      "INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3) "
      "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, "
      "price_cents = excluded.price_cents, updated_at = now() "
      "WHERE products.name IS DISTINCT FROM excluded.name "
      "OR products.price_cents IS DISTINCT FROM excluded.price_cents",
      p.sku, p.name, p.price_cents);
    changed += result.affected_rows();
  }
  tx.commit();
  return changed;
}

} // namespace

std::vector<std::string> list_migrations(const std::string& migrations_dir) {
  std::vector<std::string> result;
  std::error_code ec;
  for (auto& item : fs::directory_iterator{migrations_dir, ec}) {
    auto name = item.path().filename().string();
    if (item.is_regular_file() && is_migration_name(name))
      result.push_back(name);
  }
  if (ec)
    throw std::runtime_error("cannot list migrations in " + migrations_dir + ": "
                             + ec.message());
  // Zero-padded numbers sort as text.
  std::sort(result.begin(), result.end());
  return result;
}

migration_report migrate(pqxx::connection& db, const std::string& migrations_dir,
                         const std::string& catalog_path, std::ostream& progress) {
  migration_report report;
  auto files = list_migrations(migrations_dir);
  if (files.empty())
    throw std::runtime_error("no migrations (NNN_name.sql) in " + migrations_dir);
  auto products = load_catalog(catalog_path);
  {
    pqxx::nontransaction session{db};
    session.exec("SELECT pg_advisory_lock(" + std::to_string(migrate_lock_key) + ")");
  }
  auto applied = applied_versions(db);
  for (auto& file : files) {
    auto version = version_of(file);
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
      throw std::runtime_error("migration " + file + " failed (rolled back): " + e.what());
    }
    report.applied.push_back(version);
    progress << "applied " << file << "\n";
  }
  report.products = products.size();
  report.products_changed = upsert_catalog(db, products);
  {
    pqxx::nontransaction session{db};
    session.exec("SELECT pg_advisory_unlock(" + std::to_string(migrate_lock_key) + ")");
  }
  if (report.applied.empty())
    progress << "migrations: none to apply (" << report.already_applied
             << " already applied)\n";
  else
    progress << "migrations: applied " << report.applied.size() << ", "
             << report.already_applied << " already applied\n";
  progress << "catalog: " << report.products << " products, " << report.products_changed
           << " inserted or updated\n";
  return report;
}

} // namespace vigil::shop
