#include "actors/actions/tools/target_db.hpp"

#include <algorithm>
#include <memory>

#include <libpq-fe.h>

#include "actors/actions/tool.hpp"
#include "config/conninfo.hpp"

namespace vigil::actions {

namespace {

/// libpq's messages end in a newline; a reply shows them on one line.
std::string server_message(const std::exception& e) {
  std::string text = e.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

} // namespace

target_db target_db::of(const actions_config& cfg, const std::string& tool) {
  target_db db;
  db.tool = tool;
  auto& s = cfg.settings(tool);
  if (auto i = s.find("cluster_dir"); i != s.end() && i->is_string())
    db.cluster_dir = cfg.resolve(i->get<std::string>());
  if (auto i = s.find("port"); i != s.end() && i->is_number_unsigned() && *i <= 65535u)
    db.port = i->get<uint16_t>();
  if (auto i = s.find("databases"); i != s.end() && i->is_array()) {
    db.databases.clear();
    for (auto& d : *i)
      if (d.is_string())
        db.databases.push_back(d.get<std::string>());
  }
  if (auto i = s.find("pgcluster"); i != s.end() && i->is_string())
    db.pgcluster = cfg.resolve(i->get<std::string>());
  if (auto i = s.find("login_host"); i != s.end() && i->is_string())
    db.login_host = i->get<std::string>();
  return db;
}

void target_db::check_database(const std::string& database) const {
  if (std::find(databases.begin(), databases.end(), database) == databases.end()) {
    std::string list;
    for (auto& d : databases)
      list += (list.empty() ? "" : ", ") + d;
    throw bad_args("argument 'database': '" + database + "' is not a database this tool may touch ("
                   + (list.empty() ? "none" : list) + ")");
  }
}

std::unique_ptr<pqxx::connection> target_db::superuser(const std::string& database) const {
  if (cluster_dir.empty())
    throw tool_failure("setting tools." + tool + ".cluster_dir is missing in the actions file");
  try {
    auto conn = std::make_unique<pqxx::connection>(
      "host=" + conninfo_value(cluster_dir) + " port=" + std::to_string(port) + " dbname="
      + conninfo_value(database) + " user=postgres connect_timeout=5 application_name=vigil-action");
    pqxx::nontransaction tx{*conn};
    tx.exec("SET lock_timeout = '10s'");
    tx.exec("SET statement_timeout = '60s'");
    return conn;
  } catch (const std::exception& e) {
    throw tool_failure("target DB: " + server_message(e));
  }
}

bool target_db::can_log_in(const std::string& database, const std::string& role,
                           const std::string& password, std::string* why) const {
  try {
    pqxx::connection conn{"host=" + conninfo_value(login_host) + " port=" + std::to_string(port)
                          + " dbname=" + conninfo_value(database) + " user=" + conninfo_value(role)
                          + " password=" + conninfo_value(password)
                          + " connect_timeout=5 application_name=vigil-action-check"};
    pqxx::nontransaction tx{conn};
    tx.exec("SELECT 1");
    return true;
  } catch (const std::exception& e) {
    if (why != nullptr) {
      *why = server_message(e);
      while (!why->empty() && (why->back() == '\n' || why->back() == ' '))
        why->pop_back();
    }
    return false;
  }
}

std::string target_db::scram_verifier(const std::string& role, const std::string& password) const {
  auto dsn = "host=" + conninfo_value(cluster_dir) + " port=" + std::to_string(port)
             + " dbname=postgres user=postgres connect_timeout=5";
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn{PQconnectdb(dsn.c_str()), &PQfinish};
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    throw tool_failure(std::string{"target DB: "} + (conn ? PQerrorMessage(conn.get()) : "no memory"));
  std::unique_ptr<char, decltype(&PQfreemem)> verifier{
    PQencryptPasswordConn(conn.get(), password.c_str(), role.c_str(), "scram-sha-256"),
    [](void* p) { PQfreemem(p); }};
  if (!verifier)
    throw tool_failure(std::string{"target DB: cannot compute a SCRAM verifier: "}
                       + PQerrorMessage(conn.get()));
  return verifier.get();
}

bool target_db::accepts_connections(std::string* why) const {
  try {
    superuser(databases.empty() ? "postgres" : databases.front());
    return true;
  } catch (const std::exception& e) {
    if (why != nullptr)
      *why = server_message(e);
    return false;
  }
}

std::string sql_text_array(const std::vector<std::string>& items) {
  std::string result = "{";
  for (auto& item : items) {
    if (result.size() > 1)
      result += ',';
    result += '"';
    for (char c : item) {
      if (c == '"' || c == '\\')
        result += '\\';
      result += c;
    }
    result += '"';
  }
  return result + "}";
}

std::string sql_literal(pqxx::connection& conn, const std::string& value) {
  return conn.quote(value);
}

} // namespace vigil::actions
