// rerun_migrations: brings the live schema back to what the app's migrations
// create (chaos `schema_drift`: a renamed column, a dropped index). The
// migrations table still lists every file as applied, so running the files
// again would do nothing: instead the files run inside a scratch schema in a
// transaction that is rolled back, the scratch tables, columns and indexes
// are compared with the live ones, and the difference is repaired.
// Settings: {"cluster_dir", "port", "databases", "migrations_dir"}.
#include "actors/actions/tools/tools.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "actors/actions/tools/file_ops.hpp"
#include "actors/actions/tools/target_db.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

namespace fs = std::filesystem;

constexpr const char* scratch = "vigil_expected_schema";

struct schema_shape {
  /// table -> column -> data type
  std::map<std::string, std::map<std::string, std::string>> columns;
  /// index name -> (table, definition)
  std::map<std::string, std::pair<std::string, std::string>> indexes;
};

schema_shape shape_of(pqxx::transaction_base& tx, const std::string& schema) {
  schema_shape shape;
  for (auto row : tx.exec_params("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                 "WHERE table_schema = $1",
                                 schema))
    shape.columns[row[0].as<std::string>()][row[1].as<std::string>()] = row[2].as<std::string>();
  for (auto row : tx.exec_params("SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = $1",
                                 schema))
    shape.indexes[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  return shape;
}

std::vector<fs::path> migration_files(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto& item : fs::directory_iterator{dir, ec})
    if (item.is_regular_file() && item.path().extension() == ".sql")
      files.push_back(item.path());
  if (ec)
    throw tool_failure("cannot list migrations in " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::string replaced_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class rerun_migrations : public tool {
public:
  explicit rerun_migrations(const actions_config& cfg) : db_(target_db::of(cfg, "rerun_migrations")) {
    auto& s = cfg.settings("rerun_migrations");
    if (auto i = s.find("migrations_dir"); i != s.end() && i->is_string())
      migrations_dir_ = cfg.resolve(i->get<std::string>());
  }

  tool_info info() const override {
    return {"rerun_migrations", "high",
            "Compares the live schema with what the app's migrations create and repairs the "
            "difference (renames a drifted column back, recreates a missing index).",
            "database"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"database"}};
    auto database = a.text("database", "");
    db_.check_database(database);
    return {{"database", database}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    if (migrations_dir_.empty())
      throw tool_failure("setting tools.rerun_migrations.migrations_dir is missing in the actions file");
    auto database = args.at("database").get<std::string>();
    auto files = migration_files(migrations_dir_);
    if (files.empty())
      throw tool_failure("no migrations (*.sql) in " + migrations_dir_);
    auto conn = db_.superuser(database);
    schema_shape expected, live;
    try {
      pqxx::work tx{*conn};
      tx.exec(std::string{"CREATE SCHEMA "} + scratch);
      tx.exec(std::string{"SET LOCAL search_path = "} + scratch);
      for (auto& file : files)
        tx.exec(read_text(file.string()));
      expected = shape_of(tx, scratch);
      live = shape_of(tx, "public");
      tx.abort(); // the scratch schema never existed for anyone else
    } catch (const tool_failure&) {
      throw;
    } catch (const std::exception& e) {
      throw tool_failure(std::string{"comparing the schema with the migrations: "} + e.what());
    }
    std::vector<std::string> repairs, statements, unexplained;
    for (auto& [table, columns] : expected.columns) {
      auto l = live.columns.find(table);
      if (l == live.columns.end()) {
        unexplained.push_back("table " + table + " is missing");
        continue;
      }
      std::vector<std::string> missing, extra;
      for (auto& [column, type] : columns)
        if (l->second.count(column) == 0)
          missing.push_back(column);
      for (auto& [column, type] : l->second)
        if (columns.count(column) == 0)
          extra.push_back(column);
      for (auto& column : missing) {
        // A rename keeps the data: the one extra column of the same type.
        std::vector<std::string> candidates;
        for (auto& other : extra)
          if (l->second[other] == columns.at(column))
            candidates.push_back(other);
        if (candidates.size() != 1) {
          unexplained.push_back("column " + table + "." + column + " is missing"
                                + (candidates.empty() ? std::string{} : " (several columns could be it)"));
          continue;
        }
        extra.erase(std::find(extra.begin(), extra.end(), candidates.front()));
        statements.push_back("ALTER TABLE public." + conn->quote_name(table) + " RENAME COLUMN "
                             + conn->quote_name(candidates.front()) + " TO " + conn->quote_name(column));
        repairs.push_back("renamed column " + table + "." + candidates.front() + " back to " + column);
      }
    }
    for (auto& [index, where] : expected.indexes) {
      if (live.indexes.count(index) > 0 || live.columns.count(where.first) == 0)
        continue;
      statements.push_back(replaced_all(where.second, std::string{scratch} + ".", "public."));
      repairs.push_back("recreated index " + index + " on " + where.first);
    }
    tool_outcome out;
    out.output = {{"database", database}, {"repairs", repairs}, {"unexplained", unexplained},
                  {"changed", !statements.empty()}};
    if (!statements.empty()) {
      try {
        pqxx::work tx{*conn};
        for (auto& statement : statements)
          tx.exec(statement);
        tx.commit();
      } catch (const std::exception& e) {
        throw tool_failure(std::string{"repairing the schema (nothing changed): "} + e.what());
      }
    }
    std::string done;
    for (auto& r : repairs)
      done += (done.empty() ? "" : "; ") + r;
    std::string left;
    for (auto& u : unexplained)
      left += (left.empty() ? "" : "; ") + u;
    if (!unexplained.empty()) {
      out.status = "failed";
      out.detail = (done.empty() ? std::string{} : done + "; ") + "differences the migrations do not explain: " + left;
    } else if (statements.empty()) {
      out.detail = "the schema of " + database + " matches the migrations; nothing changed";
    } else {
      out.detail = done;
    }
    return out;
  }

private:
  target_db db_;
  std::string migrations_dir_;
};

} // namespace

tool_ptr make_rerun_migrations(const actions_config& cfg) {
  return std::make_unique<rerun_migrations>(cfg);
}

} // namespace vigil::actions
