#include "chaos/fault_context.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <sys/wait.h>

#include <pqxx/pqxx>

#include "chaos/fault.hpp"
#include "http/client.hpp"

namespace vigil::chaos {

std::string read_secret(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw fault_error("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

std::string fault_context::sql(const std::string& statement) const {
  try {
    pqxx::connection conn{target.superuser_dsn()};
    pqxx::work tx{conn};
    // Chaos must never hang behind a lock of its own or anyone else's.
    tx.exec("SET LOCAL lock_timeout = '10s'");
    tx.exec("SET LOCAL statement_timeout = '60s'");
    auto rows = tx.exec(statement);
    tx.commit();
    if (rows.empty() || rows.columns() == 0 || rows[0][0].is_null())
      return "";
    return rows[0][0].c_str();
  } catch (const std::exception& e) {
    throw fault_error(std::string{"target DB: "} + e.what());
  }
}

nlohmann::json fault_context::admin_call(const std::string& method, const std::string& url,
                                         const std::string& token_file,
                                         const nlohmann::json& body) const {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + read_secret(token_file)},
                                             {"Content-Type", "application/json"}};
  http::client_response r;
  try {
    r = http::fetch(method, url, method == "GET" || method == "DELETE" ? "" : body.dump(),
                    headers, std::chrono::seconds(5));
  } catch (const http::client_error& e) {
    throw fault_error(method + " " + url + ": " + e.what());
  }
  if (r.status < 200 || r.status >= 300)
    throw fault_error(method + " " + url + ": HTTP " + std::to_string(r.status) + " " + r.body);
  auto parsed = nlohmann::json::parse(r.body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json{} : parsed;
}

void fault_context::pgcluster(const std::vector<std::string>& args) const {
  std::string cmd = "'" + target.target_db.pgcluster + "'";
  for (auto& a : args)
    cmd += " '" + a + "'";
  cmd += " 2>&1";
  std::string output;
  auto* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    throw fault_error("cannot run " + target.target_db.pgcluster);
  std::array<char, 512> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), pipe))
    output.append(buf.data(), n);
  auto status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw fault_error("pgcluster " + (args.empty() ? std::string{} : args[0]) + " failed: " + output);
}

} // namespace vigil::chaos
