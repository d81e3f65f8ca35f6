#include "chaos/target_config.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/conninfo.hpp"
#include "config/node_config.hpp"

namespace vigil::chaos {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string target_config::superuser_dsn() const {
  return "host=" + conninfo_value(target_db.cluster_dir) + " port=" + std::to_string(target_db.port)
         + " user=postgres dbname=" + conninfo_value(target_db.dbname) + " connect_timeout=5";
}

std::string target_config::ops_store_dsn() const {
  if (ops_store.socket_dir.empty())
    return "";
  return "host=" + conninfo_value(ops_store.socket_dir) + " port=" + std::to_string(ops_store.port)
         + " user=" + conninfo_value(ops_store.user) + " dbname=" + conninfo_value(ops_store.dbname)
         + " connect_timeout=3";
}

namespace {

struct reader {
  std::string origin;
  fs::path base;

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw config_error(origin + ": field '" + field + "': " + problem);
  }

  void only(const json& obj, const std::string& where, std::set<std::string> known) const {
    if (!obj.is_object())
      fail(where, "expected an object");
    for (auto& [key, value] : obj.items())
      if (known.count(key) == 0)
        fail(where.empty() ? key : where + "." + key, "unknown field");
  }

  std::string str(const json& obj, const std::string& where, const std::string& key,
                  std::string def) const {
    if (!obj.contains(key))
      return def;
    if (!obj[key].is_string())
      fail(where + key, "expected a string, got " + obj[key].dump());
    return obj[key].get<std::string>();
  }

  std::string path(const json& obj, const std::string& where, const std::string& key) const {
    auto text = str(obj, where, key, "");
    if (text.empty())
      return text;
    fs::path p{text};
    return (p.is_absolute() ? p : base / p).lexically_normal().string();
  }

  uint64_t num(const json& obj, const std::string& where, const std::string& key,
               uint64_t def, uint64_t min, uint64_t max) const {
    if (!obj.contains(key))
      return def;
    auto& v = obj[key];
    if (!v.is_number_unsigned() || v.get<uint64_t>() < min || v.get<uint64_t>() > max)
      fail(where + key, "expected an integer in " + std::to_string(min) + ".."
                          + std::to_string(max) + ", got " + v.dump());
    return v.get<uint64_t>();
  }
};

} // namespace

target_config load_target_config(const std::string& file) {
  std::ifstream in{file};
  if (!in)
    throw config_error(file + ": cannot read the file");
  std::stringstream buf;
  buf << in.rdbuf();
  json doc;
  try {
    doc = json::parse(buf.str(), nullptr, true, true);
  } catch (const json::parse_error& e) {
    throw config_error(file + ": not valid JSON: " + e.what());
  }
  reader r{file, fs::absolute(file).parent_path()};
  r.only(doc, "", {"sandbox", "max_concurrent", "api", "log_file", "ops_store", "target_db",
                   "dbproxy_control", "shopd", "pricing", "services_node", "external_pid_dir"});
  target_config cfg;
  if (doc.contains("sandbox")) {
    if (!doc["sandbox"].is_boolean())
      r.fail("sandbox", "expected true or false");
    cfg.sandbox = doc["sandbox"].get<bool>();
  }
  cfg.max_concurrent = static_cast<uint32_t>(r.num(doc, "", "max_concurrent", 3, 1, 32));
  cfg.log_file = r.path(doc, "", "log_file");
  if (doc.contains("ops_store")) {
    auto& ops = doc["ops_store"];
    r.only(ops, "ops_store", {"socket_dir", "port", "dbname", "user"});
    cfg.ops_store.socket_dir = r.path(ops, "ops_store.", "socket_dir");
    cfg.ops_store.port = static_cast<uint16_t>(r.num(ops, "ops_store.", "port", 5434, 1, 65535));
    cfg.ops_store.dbname = r.str(ops, "ops_store.", "dbname", "vigil");
    cfg.ops_store.user = r.str(ops, "ops_store.", "user", "postgres");
    if (cfg.log_file.empty())
      r.fail("ops_store", "needs log_file (the file is the spool while the ops store is away)");
  }
  cfg.dbproxy_control = r.str(doc, "", "dbproxy_control", "");
  cfg.services_node = r.str(doc, "", "services_node", "");
  cfg.external_pid_dir = r.path(doc, "", "external_pid_dir");
  if (doc.contains("api")) {
    auto& api = doc["api"];
    r.only(api, "api", {"listen", "token_file"});
    cfg.api_listen = r.str(api, "api.", "listen", cfg.api_listen);
    parse_endpoint(cfg.api_listen, file + ": field 'api.listen'");
    cfg.api_token_file = r.path(api, "api.", "token_file");
  }
  if (doc.contains("target_db")) {
    auto& db = doc["target_db"];
    r.only(db, "target_db", {"pgcluster", "cluster_dir", "port", "dbname", "app_role"});
    cfg.target_db.pgcluster = r.path(db, "target_db.", "pgcluster");
    cfg.target_db.cluster_dir = r.path(db, "target_db.", "cluster_dir");
    cfg.target_db.port = static_cast<uint16_t>(r.num(db, "target_db.", "port", 5433, 1, 65535));
    cfg.target_db.dbname = r.str(db, "target_db.", "dbname", "shop");
    cfg.target_db.app_role = r.str(db, "target_db.", "app_role", "shop");
  }
  if (doc.contains("shopd")) {
    auto& s = doc["shopd"];
    r.only(s, "shopd", {"service", "public_url", "admin_url", "admin_token_file", "config_file", "data_dir",
                        "max_fill_mb"});
    cfg.shopd.service = r.str(s, "shopd.", "service", "shopd");
    cfg.shopd.public_url = r.str(s, "shopd.", "public_url", "");
    cfg.shopd.admin_url = r.str(s, "shopd.", "admin_url", "");
    cfg.shopd.admin_token_file = r.path(s, "shopd.", "admin_token_file");
    cfg.shopd.config_file = r.path(s, "shopd.", "config_file");
    cfg.shopd.data_dir = r.path(s, "shopd.", "data_dir");
    cfg.shopd.max_fill_mb = static_cast<uint32_t>(r.num(s, "shopd.", "max_fill_mb", 512, 1, 65536));
  }
  if (doc.contains("pricing")) {
    auto& p = doc["pricing"];
    r.only(p, "pricing", {"service", "admin_url", "admin_token_file"});
    cfg.pricing.service = r.str(p, "pricing.", "service", "pricingd-primary");
    cfg.pricing.admin_url = r.str(p, "pricing.", "admin_url", "");
    cfg.pricing.admin_token_file = r.path(p, "pricing.", "admin_token_file");
  }
  return cfg;
}

} // namespace vigil::chaos
