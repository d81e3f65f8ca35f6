// terminate_blocking_sessions: ends the sessions at the head of lock wait
// chains (pg_blocking_pids) whose transaction has been open for longer than
// blocking_for_s, the fix for a long-held exclusive lock (chaos `lock`). A
// younger blocker is waited for until it is that old, then looked at again.
// Settings: {"cluster_dir", "port", "databases"}.
#include "actors/actions/tools/tools.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "actors/actions/tools/target_db.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

// Who blocks someone now, and since when its transaction runs. A blocker
// with no waiter at this instant is not seen, so a few samples are taken.
constexpr const char* blockers_sql = R"(
SELECT b.pid, coalesce(b.usename, ''), coalesce(b.application_name, ''), coalesce(b.state, ''),
       extract(epoch FROM now() - coalesce(b.xact_start, b.state_change))::bigint AS open_s,
       count(*) AS waiters
FROM pg_stat_activity w
JOIN pg_stat_activity b ON b.pid = ANY (pg_blocking_pids(w.pid))
WHERE w.datname = $1 AND b.pid <> pg_backend_pid()
  AND coalesce(b.usename, '') <> ALL ($2::text[])
GROUP BY 1, 2, 3, 4, 5)";

struct blocker {
  std::string role, application, state;
  int64_t open_s = 0;
  int64_t waiters = 0;
};

class terminate_blocking_sessions : public tool {
public:
  explicit terminate_blocking_sessions(const actions_config& cfg)
    : db_(target_db::of(cfg, "terminate_blocking_sessions")) {
    // nop
  }

  tool_info info() const override {
    return {"terminate_blocking_sessions", "high",
            "Terminates the sessions that block others on locks and whose transaction is older "
            "than blocking_for_s; their transactions roll back.",
            "database; blocking_for_s (default 10, 0..86400); exclude_roles (default none)"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"database", "blocking_for_s", "exclude_roles"}};
    auto database = a.text("database", "");
    db_.check_database(database);
    return {{"database", database},
            {"blocking_for_s", a.integer("blocking_for_s", 0, 86400, 10)},
            {"exclude_roles", a.texts("exclude_roles", {})}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto database = args.at("database").get<std::string>();
    auto min_s = args.at("blocking_for_s").get<int64_t>();
    auto conn = db_.superuser(database);
    auto excluded = sql_text_array(args.at("exclude_roles").get<std::vector<std::string>>());
    auto seen = sample_blockers(*conn, database, excluded);
    // A blocker younger than the limit may be a short transaction about to
    // commit: wait until it is old enough, then look again; one that still
    // blocks then is held too long.
    int64_t wait_s = 0;
    for (auto& [pid, b] : seen)
      if (b.open_s < min_s)
        wait_s = std::max(wait_s, min_s - b.open_s);
    if (wait_s > 0) {
      std::this_thread::sleep_for(std::chrono::seconds{wait_s + 1});
      seen = sample_blockers(*conn, database, excluded);
    }
    tool_outcome out;
    auto sessions = nlohmann::json::array();
    int64_t terminated = 0, young = 0;
    for (auto& [pid, b] : seen) {
      nlohmann::json s{{"pid", pid}, {"role", b.role}, {"application", b.application},
                       {"state", b.state}, {"open_s", b.open_s}, {"waiters", b.waiters}};
      if (b.open_s < min_s) {
        ++young;
        s["terminated"] = false;
      } else {
        pqxx::nontransaction tx{*conn};
        auto ok = tx.exec_params1("SELECT pg_terminate_backend($1)", pid)[0].as<bool>();
        s["terminated"] = ok;
        terminated += ok ? 1 : 0;
      }
      sessions.push_back(std::move(s));
    }
    out.output = {{"database", database}, {"blocking_sessions", seen.size()},
                  {"terminated", terminated}, {"younger_than_limit", young},
                  {"sessions", sessions}, {"changed", terminated > 0}};
    if (seen.empty())
      out.detail = "no session blocks another in " + database + "; nothing changed";
    else
      out.detail = "terminated " + std::to_string(terminated) + " of " + std::to_string(seen.size())
                   + " blocking sessions in " + database
                   + (young > 0 ? " (" + std::to_string(young) + " blocking for less than "
                                    + std::to_string(min_s) + " s left alone)"
                                : std::string{})
                   + (terminated == 0 ? "; nothing changed" : "");
    return out;
  }

private:
  /// The blockers seen in a few samples over a second and a half.
  static std::map<int64_t, blocker> sample_blockers(pqxx::connection& conn,
                                                    const std::string& database,
                                                    const std::string& excluded) {
    std::map<int64_t, blocker> seen;
    try {
      for (int sample = 0; sample < 5; ++sample) {
        if (sample > 0)
          std::this_thread::sleep_for(std::chrono::milliseconds{300});
        pqxx::nontransaction tx{conn};
        for (auto row : tx.exec_params(blockers_sql, database, excluded)) {
          auto& b = seen[row[0].as<int64_t>()];
          b.role = row[1].as<std::string>();
          b.application = row[2].as<std::string>();
          b.state = row[3].as<std::string>();
          b.open_s = row[4].is_null() ? 0 : row[4].as<int64_t>();
          b.waiters = std::max(b.waiters, row[5].as<int64_t>());
        }
      }
    } catch (const std::exception& e) {
      throw tool_failure(std::string{"target DB: "} + e.what());
    }
    return seen;
  }

  target_db db_;
};

} // namespace

tool_ptr make_terminate_blocking_sessions(const actions_config& cfg) {
  return std::make_unique<terminate_blocking_sessions>(cfg);
}

} // namespace vigil::actions
