// terminate_idle_sessions: ends idle sessions (no open transaction) of roles
// other than the excluded ones, idle for longer than idle_for_s, to free
// connection slots (chaos `conn_exhaust`). Sessions that went idle only
// a moment ago are waited for until they are idle_for_s idle, then ended if
// they still are: a fast detection must not make them look busy.
// Settings: {"cluster_dir", "port", "databases"}.
#include "actors/actions/tools/tools.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "actors/actions/tools/target_db.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

constexpr const char* terminate_sql = R"(
SELECT usename, count(*) FILTER (WHERE pg_terminate_backend(pid)) AS terminated, count(*) AS idle
FROM pg_stat_activity
WHERE datname = $1 AND backend_type = 'client backend' AND state = 'idle'
  AND pid <> pg_backend_pid()
  AND now() - state_change >= make_interval(secs => $2)
  AND coalesce(usename, '') <> ALL ($3::text[])
GROUP BY usename ORDER BY usename)";

// Seconds until every idle session of the roles concerned that is still
// younger than the limit reaches it (0: none).
constexpr const char* wait_sql = R"(
SELECT coalesce(ceil(extract(epoch FROM max(make_interval(secs => $2) - (now() - state_change)))), 0)::bigint
FROM pg_stat_activity
WHERE datname = $1 AND backend_type = 'client backend' AND state = 'idle'
  AND pid <> pg_backend_pid()
  AND now() - state_change < make_interval(secs => $2)
  AND coalesce(usename, '') <> ALL ($3::text[]))";

class terminate_idle_sessions : public tool {
public:
  explicit terminate_idle_sessions(const actions_config& cfg)
    : db_(target_db::of(cfg, "terminate_idle_sessions")) {
    // nop
  }

  tool_info info() const override {
    return {"terminate_idle_sessions", "high",
            "Terminates sessions idle (no open transaction) for longer than idle_for_s, except "
            "those of the excluded roles, to free connection slots.",
            "database; idle_for_s (default 30, 0..86400); exclude_roles (default [\"postgres\"]; "
            "postgres is always excluded)"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"database", "idle_for_s", "exclude_roles"}};
    auto database = a.text("database", "");
    db_.check_database(database);
    auto excluded = a.texts("exclude_roles", {"postgres"});
    // Administrators' sessions are never ours to end.
    if (std::find(excluded.begin(), excluded.end(), "postgres") == excluded.end())
      excluded.push_back("postgres");
    return {{"database", database}, {"idle_for_s", a.integer("idle_for_s", 0, 86400, 30)},
            {"exclude_roles", excluded}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto database = args.at("database").get<std::string>();
    auto conn = db_.superuser(database);
    tool_outcome out;
    int64_t terminated = 0;
    auto by_role = nlohmann::json::object();
    int64_t total = 0, max_connections = 0;
    auto idle_for = static_cast<double>(args.at("idle_for_s").get<int64_t>());
    auto excluded = sql_text_array(args.at("exclude_roles").get<std::vector<std::string>>());
    try {
      pqxx::nontransaction tx{*conn};
      auto wait_s = tx.exec_params1(wait_sql, database, idle_for, excluded)[0].as<int64_t>();
      if (wait_s > 0)
        std::this_thread::sleep_for(std::chrono::seconds{std::min<int64_t>(wait_s, 86400)});
      auto rows = tx.exec_params(terminate_sql, database, idle_for, excluded);
      for (auto row : rows) {
        by_role[row[0].is_null() ? "" : row[0].as<std::string>()] = row[1].as<int64_t>();
        terminated += row[1].as<int64_t>();
      }
      total = tx.exec("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")[0][0]
                .as<int64_t>();
      max_connections = tx.exec("SELECT current_setting('max_connections')::int")[0][0].as<int64_t>();
    } catch (const std::exception& e) {
      throw tool_failure(std::string{"target DB: "} + e.what());
    }
    out.output = {{"database", database}, {"terminated", terminated}, {"by_role", by_role},
                  {"connections_after", total}, {"max_connections", max_connections},
                  {"changed", terminated > 0}};
    std::string roles;
    for (auto& [role, n] : by_role.items())
      roles += (roles.empty() ? "" : ", ") + role + ": " + std::to_string(n.get<int64_t>());
    out.detail = terminated > 0
                   ? "terminated " + std::to_string(terminated) + " idle sessions in " + database + " ("
                       + roles + "); " + std::to_string(total) + " of "
                       + std::to_string(max_connections) + " connections in use now"
                   : "no idle session to terminate in " + database + "; nothing changed ("
                       + std::to_string(total) + " of " + std::to_string(max_connections)
                       + " connections in use)";
    return out;
  }

private:
  target_db db_;
};

} // namespace

tool_ptr make_terminate_idle_sessions(const actions_config& cfg) {
  return std::make_unique<terminate_idle_sessions>(cfg);
}

} // namespace vigil::actions
