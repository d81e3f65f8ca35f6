#include "vigilctl/drill/target_db.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <pqxx/pqxx>

#include "config/conninfo.hpp"
#include "config/probes_config.hpp"
#include "config/traffic_config.hpp"

namespace vigilctl::drill {

namespace {

std::string read_secret(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read the password file " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
    value.pop_back();
  return value;
}

} // namespace

std::string target_db_dsn(const std::string& probes_file, const std::string& probe) {
  vigil::probes_config config;
  try {
    config = vigil::load_probes_config(probes_file);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"cannot load the probes file: "} + e.what());
  }
  for (auto& p : config.probes) {
    if (p.name != probe)
      continue;
    if (p.kind != "postgres" || p.dbname.empty())
      throw std::runtime_error("probe " + probe + " of " + probes_file
                               + " is not a postgres probe with a database");
    using vigil::conninfo_value;
    std::string dsn = "host=" + conninfo_value(p.db_host) + " port=" + std::to_string(p.db_port)
                      + " dbname=" + conninfo_value(p.dbname) + " user=" + conninfo_value(p.user)
                      + " connect_timeout=5";
    if (!p.password_file.empty())
      dsn += " password=" + conninfo_value(read_secret(p.password_file));
    return dsn;
  }
  throw std::runtime_error("no probe named " + probe + " in " + probes_file);
}

std::string traffic_base_url(const std::string& probes_file) {
  try {
    auto traffic = vigil::load_traffic_config(probes_file);
    return traffic.enabled ? traffic.base_url : std::string{};
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"cannot load the traffic of the probes file: "} + e.what());
  }
}

std::set<std::string> order_ids(const std::string& dsn) {
  try {
    pqxx::connection db{dsn};
    pqxx::read_transaction tx{db};
    std::set<std::string> result;
    for (auto row : tx.exec("SELECT id::text FROM orders"))
      result.insert(row[0].as<std::string>());
    return result;
  } catch (const std::exception& e) {
    std::string what = e.what();
    throw std::runtime_error("cannot read the orders of the target DB: "
                             + what.substr(0, what.find('\n')));
  }
}

} // namespace vigilctl::drill
