#include "actors/actions/audit_log.hpp"

#include <pqxx/pqxx>

#include "actors/store/migrate.hpp"
#include "messages/unix_time.hpp"
#include "messages/actions_json.hpp"

namespace vigil::actions {

namespace {

using json = nlohmann::json;

/// Args as jsonb: the object itself, or (unparsable args of a refused
/// request) the text as a JSON string, so the audit keeps what was sent.
std::string args_jsonb(const std::string& args) {
  auto j = json::parse(args, nullptr, false);
  if (j.is_discarded())
    return json(args).dump(-1, ' ', false, json::error_handler_t::replace);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void insert_row(pqxx::work& tx, const std::string& phase, const action_request& req,
                const std::string& status, const std::string& detail) {
  tx.exec_params("INSERT INTO action_audit (phase, idempotency_key, tool, args, incident, "
                 "requested_by, approved_by, status, detail) "
                 "VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)",
                 phase, req.idempotency_key, req.tool, args_jsonb(req.args), req.incident,
                 req.requested_by, req.approved_by, status, detail);
}

} // namespace

audit_log::audit_log(std::string dsn) : dsn_(std::move(dsn)) {
  // Connects on first use.
}

audit_log::~audit_log() = default;

pqxx::connection& audit_log::connection() {
  if (conn_ && conn_->is_open())
    return *conn_;
  conn_.reset();
  if (dsn_.empty())
    throw store_unavailable("this node has no ops store (ops_store in its config)");
  store::migrate(dsn_);
  conn_ = std::make_unique<pqxx::connection>(dsn_);
  return *conn_;
}

template <class F>
auto audit_log::with_connection(F f) -> decltype(f(std::declval<pqxx::connection&>())) {
  try {
    return f(connection());
  } catch (const store_unavailable&) {
    throw;
  } catch (const std::exception& e) {
    // A broken connection is replaced on the next call.
    conn_.reset();
    throw store_unavailable(std::string{"ops store: "} + e.what());
  }
}

std::optional<action_result> audit_log::find_result(const std::string& key) {
  return with_connection([&](pqxx::connection& c) -> std::optional<action_result> {
    pqxx::work tx{c};
    auto r = tx.exec_params("SELECT result::text FROM action_results WHERE idempotency_key = $1",
                            key);
    tx.commit();
    if (r.empty())
      return std::nullopt;
    return json::parse(r[0][0].as<std::string>()).get<action_result>();
  });
}

void audit_log::before(const action_request& req, const std::string& detail) {
  with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    insert_row(tx, "before", req, "", detail);
    tx.commit();
  });
}

void audit_log::after(const action_request& req, const action_result& result) {
  with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    tx.exec_params("INSERT INTO action_results (idempotency_key, tool, result) "
                   "VALUES ($1, $2, $3::jsonb) ON CONFLICT (idempotency_key) DO NOTHING",
                   result.idempotency_key, result.tool,
                   json(result).dump(-1, ' ', false, json::error_handler_t::replace));
    insert_row(tx, "after", req, result.status, result.detail);
    tx.commit();
  });
}

void audit_log::after_without_result(const action_request& req, const std::string& status,
                                     const std::string& detail) {
  with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    insert_row(tx, "after", req, status, detail);
    tx.commit();
  });
}

void audit_log::refused(const action_request& req, const std::string& code,
                        const std::string& detail) {
  with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    insert_row(tx, "refused", req, code, detail);
    tx.commit();
  });
}

void audit_log::stopped(const std::string& node, const std::string& detail) {
  with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    action_request req;
    req.idempotency_key = "stop:" + node + ":" + std::to_string(now_unix_ms());
    req.requested_by = node;
    insert_row(tx, "stopped", req, "", detail);
    tx.commit();
  });
}

std::vector<audit_record> audit_log::records(const std::string& incident, uint32_t limit) {
  return with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    auto rows = tx.exec_params(
      "SELECT seq, phase, idempotency_key, tool, args::text, incident, requested_by, "
      "approved_by, status, detail, (extract(epoch FROM at) * 1000)::bigint "
      "FROM (SELECT * FROM action_audit WHERE $1 = '' OR incident = $1 "
      "      ORDER BY seq DESC LIMIT $2) newest ORDER BY seq",
      incident, static_cast<int64_t>(limit));
    tx.commit();
    std::vector<audit_record> result;
    for (const auto& row : rows) {
      audit_record a;
      a.seq = row[0].as<uint64_t>();
      a.phase = row[1].as<std::string>();
      a.idempotency_key = row[2].as<std::string>();
      a.tool = row[3].as<std::string>();
      a.args = row[4].as<std::string>();
      a.incident = row[5].as<std::string>();
      a.requested_by = row[6].as<std::string>();
      a.approved_by = row[7].as<std::string>();
      a.status = row[8].as<std::string>();
      a.detail = row[9].as<std::string>();
      a.at_unix_ms = row[10].as<int64_t>();
      result.push_back(std::move(a));
    }
    return result;
  });
}

std::vector<action_request> audit_log::interrupted() {
  return with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    // The last run-phase row per key is a "before", and no result is kept.
    auto rows = tx.exec(
      "SELECT tool, args::text, idempotency_key, incident, requested_by, approved_by "
      "FROM (SELECT DISTINCT ON (idempotency_key) * FROM action_audit "
      "      WHERE phase IN ('before', 'after') ORDER BY idempotency_key, seq DESC) last "
      "WHERE phase = 'before' AND NOT EXISTS "
      "  (SELECT 1 FROM action_results r WHERE r.idempotency_key = last.idempotency_key) "
      "ORDER BY seq");
    tx.commit();
    std::vector<action_request> result;
    for (const auto& row : rows) {
      action_request req;
      req.tool = row[0].as<std::string>();
      req.args = row[1].as<std::string>();
      req.idempotency_key = row[2].as<std::string>();
      req.incident = row[3].as<std::string>();
      req.requested_by = row[4].as<std::string>();
      req.approved_by = row[5].as<std::string>();
      result.push_back(std::move(req));
    }
    return result;
  });
}

std::vector<std::pair<action_request, int64_t>> audit_log::runs_since(int64_t since_unix_ms) {
  return with_connection([&](pqxx::connection& c) {
    pqxx::work tx{c};
    auto rows = tx.exec_params(
      "SELECT tool, args::text, (extract(epoch FROM at) * 1000)::bigint FROM action_audit "
      "WHERE phase = 'before' AND at >= to_timestamp($1::double precision / 1000) "
      "AND seq > (SELECT coalesce(max(seq), 0) FROM action_audit WHERE phase = 'stopped') "
      "ORDER BY seq",
      since_unix_ms);
    tx.commit();
    std::vector<std::pair<action_request, int64_t>> result;
    for (const auto& row : rows) {
      action_request req;
      req.tool = row[0].as<std::string>();
      req.args = row[1].as<std::string>();
      result.emplace_back(std::move(req), row[2].as<int64_t>());
    }
    return result;
  });
}

} // namespace vigil::actions
