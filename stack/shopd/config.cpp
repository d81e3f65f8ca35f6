#include "stack/shopd/config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#ifndef SHOPD_DEFAULT_WEB_DIR
#  error "the build sets SHOPD_DEFAULT_WEB_DIR, SHOPD_DEFAULT_MIGRATIONS_DIR and SHOPD_DEFAULT_CATALOG"
#endif

namespace vigil::shop {

namespace {

using json = nlohmann::json;

class reader {
public:
  explicit reader(std::string origin) : origin_(std::move(origin)) {
    auto slash = origin_.rfind('/');
    base_dir_ = slash == std::string::npos ? "." : origin_.substr(0, slash);
    if (base_dir_.empty())
      base_dir_ = "/";
  }

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw config_error(origin_ + ": field '" + field + "': " + problem);
  }

  // Typos must not silently fall back to defaults.
  void reject_unknown(const json& object, const std::string& prefix,
                      const std::set<std::string>& known) const {
    for (auto& [key, value] : object.items())
      if (known.count(key) == 0)
        fail(prefix + key, "unknown field");
  }

  const json* find(const json& object, const std::string& key) const {
    auto i = object.find(key);
    return i == object.end() ? nullptr : &*i;
  }

  std::string string(const json& j, const std::string& field, bool allow_empty = false) const {
    if (!j.is_string())
      fail(field, "expected a string, got " + j.dump());
    auto value = j.get<std::string>();
    if (value.empty() && !allow_empty)
      fail(field, "must not be empty");
    return value;
  }

  uint32_t number(const json& j, const std::string& field, uint32_t min, uint32_t max) const {
    auto range = "expected an integer in " + std::to_string(min) + ".." + std::to_string(max)
                 + ", got " + j.dump();
    if (!j.is_number_integer() || (!j.is_number_unsigned() && j.get<int64_t>() < 0))
      fail(field, range);
    auto value = j.get<uint64_t>();
    if (value < min || value > max)
      fail(field, range);
    return static_cast<uint32_t>(value);
  }

  std::string path(const json& j, const std::string& field) const {
    auto value = string(j, field);
    return value.front() == '/' ? value : base_dir_ + "/" + value;
  }

  listen_address address(const json& j, const std::string& field) const {
    auto text = string(j, field);
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
      fail(field, "expected HOST:PORT, got '" + text + "'");
    listen_address result;
    result.host = text.substr(0, colon);
    auto port_text = text.substr(colon + 1);
    if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5
        || std::stoul(port_text) > 65535)
      fail(field, "port must be a number in 0..65535, got '" + port_text + "'");
    result.port = static_cast<uint16_t>(std::stoul(port_text));
    return result;
  }

  void url(const std::string& value, const std::string& field) const {
    if (value.rfind("http://", 0) != 0 || value.size() <= 7)
      fail(field, "expected an http://HOST:PORT URL, got '" + value + "'");
  }

private:
  std::string origin_;
  std::string base_dir_;
};

void read_db(const reader& r, const json& j, db_config& db) {
  if (!j.is_object())
    r.fail("db", "expected an object");
  r.reject_unknown(j, "db.", {"host", "port", "dbname", "user", "password_file",
                              "connect_timeout_s", "statement_timeout_ms"});
  if (auto v = r.find(j, "host"))
    db.host = r.string(*v, "db.host");
  if (auto v = r.find(j, "port"))
    db.port = static_cast<uint16_t>(r.number(*v, "db.port", 1, 65535));
  if (auto v = r.find(j, "dbname"))
    db.dbname = r.string(*v, "db.dbname");
  if (auto v = r.find(j, "user"))
    db.user = r.string(*v, "db.user");
  if (auto v = r.find(j, "password_file"))
    db.password_file = r.path(*v, "db.password_file");
  else
    r.fail("db.password_file", "missing (the password is read from that file only)");
  if (auto v = r.find(j, "connect_timeout_s"))
    db.connect_timeout_s = r.number(*v, "db.connect_timeout_s", 1, 300);
  if (auto v = r.find(j, "statement_timeout_ms"))
    db.statement_timeout_ms = r.number(*v, "db.statement_timeout_ms", 0, 3600000);
}

void read_pool(const reader& r, const json& j, pool_config& pool) {
  if (!j.is_object())
    r.fail("pool", "expected an object");
  r.reject_unknown(j, "pool.", {"size", "wait_timeout_ms", "max_lifetime_ms"});
  if (auto v = r.find(j, "size"))
    pool.size = r.number(*v, "pool.size", 1, 256);
  if (auto v = r.find(j, "wait_timeout_ms"))
    pool.wait_timeout_ms = r.number(*v, "pool.wait_timeout_ms", 1, 600000);
  if (auto v = r.find(j, "max_lifetime_ms"))
    pool.max_lifetime_ms = r.number(*v, "pool.max_lifetime_ms", 100, 86400000);
}

void read_upstream(const reader& r, const json& j, upstream_config& upstream) {
  if (!j.is_object())
    r.fail("upstream", "expected an object");
  r.reject_unknown(j, "upstream.", {"primary", "fallback", "use", "timeout_ms"});
  if (auto v = r.find(j, "primary"))
    upstream.primary = r.string(*v, "upstream.primary");
  else
    r.fail("upstream.primary", "missing");
  r.url(upstream.primary, "upstream.primary");
  if (auto v = r.find(j, "fallback")) {
    upstream.fallback = r.string(*v, "upstream.fallback", true);
    if (!upstream.fallback.empty())
      r.url(upstream.fallback, "upstream.fallback");
  }
  if (auto v = r.find(j, "use"))
    upstream.use = r.string(*v, "upstream.use");
  if (upstream.use != "primary" && upstream.use != "fallback")
    r.fail("upstream.use", "expected \"primary\" or \"fallback\", got \"" + upstream.use + "\"");
  if (upstream.use == "fallback" && upstream.fallback.empty())
    r.fail("upstream.use", "\"fallback\" needs upstream.fallback");
  if (auto v = r.find(j, "timeout_ms"))
    upstream.timeout_ms = r.number(*v, "upstream.timeout_ms", 1, 600000);
}

} // namespace

shop_config parse_config(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw config_error(origin + ": not valid JSON: " + e.what());
  }
  reader r{origin};
  if (!j.is_object())
    throw config_error(origin + ": expected a JSON object at the top level");
  r.reject_unknown(j, "", {"listen", "admin_listen", "admin_token_file", "db", "pool",
                           "upstream", "cache_ttl_ms", "data_dir", "log_file", "web_dir",
                           "migrations_dir", "catalog"});
  shop_config config;
  config.source = origin;
  config.web_dir = SHOPD_DEFAULT_WEB_DIR;
  config.migrations_dir = SHOPD_DEFAULT_MIGRATIONS_DIR;
  config.catalog = SHOPD_DEFAULT_CATALOG;
  if (auto v = r.find(j, "listen"))
    config.listen = r.address(*v, "listen");
  if (auto v = r.find(j, "admin_listen"))
    config.admin_listen = r.address(*v, "admin_listen");
  if (auto v = r.find(j, "admin_token_file"))
    config.admin_token_file = r.path(*v, "admin_token_file");
  else
    r.fail("admin_token_file", "missing (admin endpoints need a token)");
  if (auto v = r.find(j, "db"))
    read_db(r, *v, config.db);
  else
    r.fail("db", "missing");
  if (auto v = r.find(j, "pool"))
    read_pool(r, *v, config.pool);
  if (auto v = r.find(j, "upstream"))
    read_upstream(r, *v, config.upstream);
  else
    r.fail("upstream", "missing");
  if (auto v = r.find(j, "cache_ttl_ms"))
    config.cache_ttl_ms = r.number(*v, "cache_ttl_ms", 0, 86400000);
  if (auto v = r.find(j, "data_dir"))
    config.data_dir = r.path(*v, "data_dir");
  else
    r.fail("data_dir", "missing");
  if (auto v = r.find(j, "log_file"))
    config.log_file = r.path(*v, "log_file");
  if (auto v = r.find(j, "web_dir"))
    config.web_dir = r.path(*v, "web_dir");
  if (auto v = r.find(j, "migrations_dir"))
    config.migrations_dir = r.path(*v, "migrations_dir");
  if (auto v = r.find(j, "catalog"))
    config.catalog = r.path(*v, "catalog");
  if (config.listen.host == config.admin_listen.host && config.listen.port != 0
      && config.listen.port == config.admin_listen.port)
    r.fail("admin_listen", "must differ from listen (admin endpoints are served apart)");
  return config;
}

shop_config load_config(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw config_error(path + ": cannot read the config file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

} // namespace vigil::shop
