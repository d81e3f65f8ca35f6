#include "actors/agents/incident_store.hpp"

#include <pqxx/pqxx>

#include "actors/store/migrate.hpp"
#include "messages/incidents_json.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string root_cause_of(const incident& x) {
  if (x.hypothesis_index < x.hypotheses.size())
    return x.hypotheses[x.hypothesis_index].root_cause;
  return {};
}

/// A stored document; a row that no longer parses is skipped, not fatal.
std::optional<incident> parse_incident(const pqxx::field& doc) {
  try {
    return json::parse(doc.as<std::string>()).get<incident>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<incident> parse_incidents(const pqxx::result& rows) {
  std::vector<incident> result;
  for (auto row : rows)
    if (auto x = parse_incident(row[0]))
      result.push_back(std::move(*x));
  return result;
}

} // namespace

struct incident_store::impl {
  std::string dsn;
  bool migrated = false;
  std::unique_ptr<pqxx::connection> conn;

  pqxx::connection& connection() {
    if (!conn) {
      if (!migrated) {
        try {
          store::migrate(dsn);
        } catch (const std::exception& e) {
          throw incident_store_error("ops store unavailable: " + first_line(e.what()));
        }
        migrated = true;
      }
      conn = std::make_unique<pqxx::connection>(dsn);
    }
    return *conn;
  }

  /// Runs `f` on the connection. A cached connection that broke (the ops
  /// store restarted since) is replaced and `f` tried once more.
  template <class F>
  auto run(F&& f) {
    for (int attempt = 0;; ++attempt) {
      bool cached = conn != nullptr;
      try {
        return f(connection());
      } catch (const incident_store_error&) {
        throw;
      } catch (const pqxx::broken_connection& e) {
        conn.reset();
        if (cached && attempt == 0)
          continue;
        throw incident_store_error("ops store unreachable: " + first_line(e.what()));
      } catch (const std::exception& e) {
        conn.reset();
        throw incident_store_error("ops store failed: " + first_line(e.what()));
      }
    }
  }
};

incident_store::incident_store(std::string dsn) : impl_(std::make_unique<impl>()) {
  impl_->dsn = std::move(dsn);
}

incident_store::~incident_store() = default;

void incident_store::save(const incident& x) {
  auto doc = json(x).dump(-1, ' ', false, json::error_handler_t::replace);
  auto services = json(x.services).dump(-1, ' ', false, json::error_handler_t::replace);
  auto opened = x.opened_unix_ms != 0 ? x.opened_unix_ms : x.started_unix_ms;
  impl_->run([&](pqxx::connection& db) {
    pqxx::work tx{db};
    tx.exec_params(
      "INSERT INTO incidents (id, state, title, services, opened_at, closed_at, root_cause, doc)"
      " VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)),"
      "         to_timestamp($5::bigint / 1000.0),"
      "         CASE WHEN $6::bigint = 0 THEN NULL ELSE to_timestamp($6::bigint / 1000.0) END,"
      "         $7, $8::jsonb)"
      " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, title = EXCLUDED.title,"
      "   services = EXCLUDED.services, closed_at = EXCLUDED.closed_at,"
      "   root_cause = EXCLUDED.root_cause, doc = EXCLUDED.doc, updated_at = now()",
      x.id, to_string(x.state), x.title, services, opened, x.closed_unix_ms, root_cause_of(x), doc);
    tx.commit();
  });
}

std::vector<incident> incident_store::list(bool open_only, uint32_t limit) {
  return impl_->run([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    return parse_incidents(tx.exec_params(
      open_only ? "SELECT doc FROM incidents WHERE closed_at IS NULL"
                  " ORDER BY opened_at DESC, id DESC LIMIT $1"
                : "SELECT doc FROM incidents ORDER BY opened_at DESC, id DESC LIMIT $1",
      limit));
  });
}

std::optional<incident> incident_store::get(const std::string& id) {
  return impl_->run([&](pqxx::connection& db) -> std::optional<incident> {
    pqxx::read_transaction tx{db};
    auto rows = tx.exec_params("SELECT doc FROM incidents WHERE id = $1", id);
    if (rows.empty())
      return std::nullopt;
    return parse_incident(rows[0][0]);
  });
}

std::vector<incident> incident_store::recent(int64_t since_unix_ms) {
  return impl_->run([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    return parse_incidents(tx.exec_params(
      "SELECT doc FROM incidents WHERE closed_at IS NULL"
      " OR opened_at >= to_timestamp($1::bigint / 1000.0) ORDER BY opened_at",
      since_unix_ms));
  });
}

int64_t incident_store::last_clean_stop_unix_ms() {
  return impl_->run([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    return tx.exec1("SELECT coalesce((extract(epoch FROM max(at)) * 1000)::bigint, 0) "
                    "FROM action_audit WHERE phase = 'stopped'")[0]
      .as<int64_t>();
  });
}

std::string incident_store::next_approval_id() {
  return impl_->run([&](pqxx::connection& db) {
    pqxx::work tx{db};
    auto n = tx.exec1("SELECT nextval('approval_numbers')")[0].as<int64_t>();
    tx.commit();
    return "apr-" + std::to_string(n);
  });
}

void incident_store::save_approval(const stored_approval& x) {
  auto& a = x.request;
  auto doc = json(a).dump(-1, ' ', false, json::error_handler_t::replace);
  impl_->run([&](pqxx::connection& db) {
    pqxx::work tx{db};
    tx.exec_params(
      "INSERT INTO approvals (id, incident, step_key, state, decided_by, doc, requested_at,"
      "                       decided_at)"
      " VALUES ($1, $2, $3, $4, $5, $6::jsonb, to_timestamp($7::bigint / 1000.0),"
      "         CASE WHEN $8::bigint = 0 THEN NULL ELSE to_timestamp($8::bigint / 1000.0) END)"
      " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state,"
      "   decided_by = EXCLUDED.decided_by, doc = EXCLUDED.doc,"
      "   decided_at = EXCLUDED.decided_at",
      a.id, a.incident, x.step_key, to_string(a.state), a.decided_by, doc, a.requested_unix_ms,
      a.decided_unix_ms);
    tx.commit();
  });
}

std::vector<stored_approval> incident_store::approvals(uint32_t decided_limit) {
  return impl_->run([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    auto rows = tx.exec_params(
      "(SELECT doc, step_key, requested_at FROM approvals WHERE state = 'pending')"
      " UNION ALL"
      " (SELECT doc, step_key, requested_at FROM approvals WHERE state <> 'pending'"
      "  ORDER BY requested_at DESC LIMIT $1)"
      " ORDER BY requested_at",
      decided_limit);
    std::vector<stored_approval> result;
    for (auto row : rows) {
      try {
        result.push_back(stored_approval{
          json::parse(row[0].as<std::string>()).get<approval>(), row[1].as<std::string>()});
      } catch (const std::exception&) {
        // A document that no longer parses is skipped.
      }
    }
    return result;
  });
}

std::optional<std::string> incident_store::setting(const std::string& name) {
  return impl_->run([&](pqxx::connection& db) -> std::optional<std::string> {
    pqxx::read_transaction tx{db};
    auto rows = tx.exec_params("SELECT value FROM agents_settings WHERE name = $1", name);
    if (rows.empty())
      return std::nullopt;
    return rows[0][0].as<std::string>();
  });
}

void incident_store::set_setting(const std::string& name, const std::string& value) {
  impl_->run([&](pqxx::connection& db) {
    pqxx::work tx{db};
    tx.exec_params("INSERT INTO agents_settings (name, value) VALUES ($1, $2)"
                   " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value,"
                   "   updated_at = now()",
                   name, value);
    tx.commit();
  });
}

} // namespace vigil::agents
