// postgres: a fresh connection as the app's user on every check (so a
// changed password or a full server shows at once), then the server's
// activity, the file's own queries, and auth failures in the server log.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "actors/probes/acked_log.hpp"
#include "actors/probes/detail/log_tail.hpp"
#include "actors/probes/detail/pg_codes.hpp"
#include "actors/probes/detail/pg_session.hpp"
#include "actors/probes/detail/secret_file.hpp"
#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;

// One round trip for the server's view of itself. Only the app's own schema
// counts for exclusive locks: a held ACCESS EXCLUSIVE lock there stops the app.
constexpr const char* activity_sql =
  "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
  " current_setting('max_connections')::int,"
  " (SELECT count(*) FROM pg_locks WHERE NOT granted),"
  " (SELECT count(*) FROM pg_stat_activity WHERE state = 'active'),"
  " (SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'),"
  " (SELECT string_agg(DISTINCT c.relname, ',') FROM pg_locks l JOIN pg_class c"
  "    ON c.oid = l.relation WHERE l.granted AND l.mode = 'AccessExclusiveLock'"
  "    AND l.pid <> pg_backend_pid()"
  "    AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r')";

bool is_number(const std::string& s) {
  if (s.empty())
    return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0';
}

class postgres_probe : public probe {
public:
  explicit postgres_probe(const probe_config& cfg) : probe(cfg) {
    if (!cfg.server_log.empty())
      server_log_ = std::make_unique<detail::log_tail>(cfg.server_log);
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    auto deadline = clock_type::now() + std::chrono::milliseconds{cfg.timeout_ms};
    count_auth_failures(r);
    detail::pg_target t{cfg.db_host, cfg.db_port, cfg.dbname, cfg.user, "", ""};
    if (!cfg.password_file.empty()) {
      auto secret = detail::read_secret_file(cfg.password_file);
      if (secret.error != 0) {
        // Not the server's fault: nothing is known about it without a login.
        r.values["secret_errno"] = secret.error;
        r.values["up"] = 0;
        set_down(r, "cannot read the password file " + cfg.password_file + ": "
                      + std::strerror(secret.error));
        return;
      }
      t.password = secret.value;
    }
    auto lock_timeout = cfg.lock_timeout_ms > 0 ? cfg.lock_timeout_ms
                                                : std::max<uint32_t>(1, cfg.timeout_ms / 2);
    t.options = "-c lock_timeout=" + std::to_string(lock_timeout)
                + " -c statement_timeout=" + std::to_string(cfg.timeout_ms);
    auto t0 = clock_type::now();
    std::unique_ptr<detail::pg_session> db;
    try {
      db = std::make_unique<detail::pg_session>(t, deadline);
    } catch (const detail::pg_failure& e) {
      r.values["up"] = 0;
      fail(r, e, "cannot connect as " + cfg.user + ": ");
      return;
    }
    auto connect_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    r.values["up"] = 1;
    r.values["connect_ms"] = connect_ms;
    try {
      read_activity(r, db->query(activity_sql, deadline));
    } catch (const detail::pg_failure& e) {
      fail(r, e, "activity query: ");
      return;
    }
    for (auto& c : cfg.checks) {
      try {
        if (!c.acked_file.empty())
          check_acked(r, c, *db, deadline);
        else
          judge(r, c, db->query(c.sql, deadline));
      } catch (const detail::pg_failure& e) {
        fail(r, e, c.name + ": ");
        if (e.timed_out)
          return; // the session is unusable after a timeout
      }
    }
    auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    r.values["query_ms"] = ms - connect_ms;
    if (cfg.slow_ms > 0 && ms > cfg.slow_ms)
      set_degraded(r, "slow: connect and queries took " + ms_text(ms) + " ms > "
                        + std::to_string(cfg.slow_ms) + " ms");
    set_ok(r, "connected as " + cfg.user + " in " + ms_text(connect_ms) + " ms, "
                + std::to_string(static_cast<int>(r.values["connections"])) + "/"
                + std::to_string(static_cast<int>(r.values["max_connections"])) + " connections");
  }

private:
  /// Slowness (our deadline, the server's lock or statement timeout) is
  /// degraded; a refusal or an error is down. The codes become values:
  /// `sqlstate_<CODE>` counts the failures with that SQLSTATE, `errno` is a
  /// socket error's number.
  static void fail(probe_result& r, const detail::pg_failure& e, const std::string& what) {
    if (!e.sqlstate.empty())
      r.values["sqlstate_" + e.sqlstate] += 1;
    if (e.sys_errno != 0)
      r.values["errno"] = e.sys_errno;
    bool slow = e.timed_out || e.sqlstate == "55P03"   // lock_not_available
                || e.sqlstate == "57014";              // query_canceled (statement timeout)
    if (slow)
      set_degraded(r, what + e.what());
    else
      set_down(r, what + e.what());
  }

  void read_activity(probe_result& r, const detail::pg_rows& rows) {
    auto& cfg = config();
    if (rows.empty() || rows[0].size() < 6)
      return;
    auto& row = rows[0];
    auto connections = std::stod(row[0]);
    auto max_connections = std::stod(row[1]);
    auto waiting = std::stod(row[2]);
    r.values["connections"] = connections;
    r.values["max_connections"] = max_connections;
    r.values["waiting_locks"] = waiting;
    r.values["active"] = std::stod(row[3]);
    r.values["idle_in_transaction"] = std::stod(row[4]);
    auto& locked = row[5];
    r.values["exclusive_locks"] = locked.empty() ? 0 : 1;
    if (max_connections > 0 && connections / max_connections > cfg.max_connections_ratio)
      set_degraded(r, std::to_string(static_cast<int>(connections)) + " of "
                        + std::to_string(static_cast<int>(max_connections))
                        + " connections in use");
    if (waiting > cfg.max_waiting_locks)
      set_degraded(r, std::to_string(static_cast<int>(waiting)) + " lock requests waiting");
    if (!locked.empty())
      set_degraded(r, "ACCESS EXCLUSIVE lock held on " + locked);
  }

  void judge(probe_result& r, const sql_check& c, const detail::pg_rows& rows) {
    auto first = rows.empty() || rows[0].empty() ? std::string{} : rows[0][0];
    if (!c.expect.empty() && first != c.expect) {
      r.values["checks_unexpected"] += 1;
      set_down(r, c.name + ": got '" + first + "', expected '" + c.expect + "'");
      return;
    }
    if (!is_number(first))
      return;
    auto value = std::stod(first);
    r.values[c.name] = value;
    if (c.max_drop_percent <= 0)
      return;
    // The highest value within the window: a fall below it is rows that vanished.
    auto now = clock_type::now();
    auto& seen = highs_[c.name];
    seen.emplace_back(now, value);
    auto window = std::chrono::milliseconds{config().window_ms};
    while (!seen.empty() && now - seen.front().first > window)
      seen.pop_front();
    double high = value;
    for (auto& s : seen)
      high = std::max(high, s.second);
    if (high > 0 && (high - value) * 100 / high > c.max_drop_percent) {
      r.values["checks_dropped"] += 1;
      set_down(r, c.name + " fell from " + std::to_string(static_cast<long long>(high)) + " to "
                    + std::to_string(static_cast<long long>(value)));
    }
  }

  /// Acknowledged ids missing from the database: the newest
  /// `acked_recent` on every check, and the next slice of the older ones
  /// (the whole ledger every few checks, at a bounded cost). What a slice
  /// found is remembered until a later look covers it, so rows deleted long
  /// ago stay missing in every result, not in one of every few.
  void check_acked(probe_result& r, const sql_check& c, detail::pg_session& db,
                   clock_type::time_point deadline) {
    auto& log = acked_.try_emplace(c.name, c.acked_file).first->second;
    log.catch_up();
    auto& ids = log.ids();
    auto newest = ids.size() > c.acked_recent ? ids.size() - c.acked_recent : 0;
    auto missing = count_missing(r, c, db.query(with_ids(c, ids, newest, ids.size()), deadline));
    if (!missing)
      return;
    auto& slices = older_missing_[c.name];
    if (newest > 0) {
      auto& cursor = older_cursor_[c.name];
      if (cursor >= newest)
        cursor = 0;
      auto end = std::min<size_t>(newest, cursor + c.acked_recent);
      auto older = count_missing(r, c, db.query(with_ids(c, ids, cursor, end), deadline));
      if (!older)
        return;
      // The ledger grows, so slice bounds shift from one round to the next:
      // what this look covers replaces every earlier look at any of it.
      for (auto it = slices.begin(); it != slices.end();)
        it = it->first < end && it->second.to > cursor ? slices.erase(it) : std::next(it);
      slices[cursor] = {end, *older};
      cursor = end;
    }
    for (auto& [from, slice] : slices)
      if (from < newest)
        *missing += slice.missing;
    r.values[c.name] = *missing;
    if (*missing > 0)
      set_down(r, c.name + ": " + std::to_string(static_cast<long long>(*missing))
                    + " acknowledged orders are missing from the database");
  }

  /// The check's sql with `$acked` as a text[] literal of ids[from, to)
  /// (valid_order_id: no quote or brace can be in one).
  static std::string with_ids(const sql_check& c, const std::vector<std::string>& ids,
                              size_t from, size_t to) {
    std::string literal = "'{";
    for (auto i = from; i < to; ++i)
      literal += (i == from ? "" : ",") + ids[i];
    literal += "}'::text[]";
    auto sql = c.sql;
    for (auto pos = sql.find("$acked"); pos != std::string::npos; pos = sql.find("$acked", pos))
      sql.replace(pos, 6, literal);
    return sql;
  }

  /// The count the check's sql answered; none (and down) for anything else.
  static std::optional<double> count_missing(probe_result& r, const sql_check& c,
                                             const detail::pg_rows& rows) {
    auto first = rows.empty() || rows[0].empty() ? std::string{} : rows[0][0];
    if (!is_number(first)) {
      set_down(r, c.name + ": got '" + first + "', expected a count of missing ids");
      return std::nullopt;
    }
    return std::stod(first);
  }

  void count_auth_failures(probe_result& r) {
    if (!server_log_)
      return;
    auto now = clock_type::now();
    for (auto& line : server_log_->read_new())
      if (auto code = detail::code_of_libpq_message(line).sqlstate;
          code == "28P01" || code == "28000") // invalid_password, invalid_authorization
        auth_failures_.push_back(now);
    auto window = std::chrono::milliseconds{config().window_ms};
    while (!auth_failures_.empty() && now - auth_failures_.front() > window)
      auth_failures_.pop_front();
    r.values["auth_failures_recent"] = static_cast<double>(auth_failures_.size());
    if (!auth_failures_.empty())
      set_degraded(r, std::to_string(auth_failures_.size()) + " auth failures in the server log"
                        " within " + std::to_string(config().window_ms / 1000) + " s");
  }

  std::unique_ptr<detail::log_tail> server_log_;
  std::deque<clock_type::time_point> auth_failures_;
  std::map<std::string, std::deque<std::pair<clock_type::time_point, double>>> highs_;
  std::map<std::string, acked_log> acked_; ///< Per check, read incrementally.
  /// Per check: where the next slice of the older acknowledged ids starts,
  /// and what each slice (by its first index) found missing when last looked at.
  std::map<std::string, size_t> older_cursor_;
  struct older_slice {
    size_t to = 0;      ///< One past its last index.
    double missing = 0; ///< What its last look found.
  };
  std::map<std::string, std::map<size_t, older_slice>> older_missing_;
};

} // namespace

probe_ptr make_postgres_probe(const probe_config& cfg) {
  return std::make_unique<postgres_probe>(cfg);
}

} // namespace vigil::probes
