#include "stack/shopd/shop_services.hpp"

#include <pqxx/pqxx>

#include "http/bearer.hpp"
#include "stack/shopd/db_connect.hpp"
#include "stack/shopd/secret_file.hpp"

namespace vigil::shop {

namespace {

connection_pool::settings pool_settings(const pool_config& pool) {
  connection_pool::settings result;
  result.size = pool.size;
  result.wait_timeout = std::chrono::milliseconds{pool.wait_timeout_ms};
  result.max_lifetime = std::chrono::milliseconds{pool.max_lifetime_ms};
  return result;
}

} // namespace

shop_services::shop_services(shop_config config)
  : cache(std::chrono::milliseconds{config.cache_ttl_ms}),
    upstream(config.upstream),
    pool(pool_settings(config.pool),
         [this] {
           db_config db;
           {
             std::lock_guard<std::mutex> guard{mtx_};
             db = config_.db;
           }
           return connect_db(db);
         }),
    receipts(config.receipts_dir()),
    products(pool, cache, upstream),
    orders(pool, products, receipts),
    config_(std::move(config)) {
  admin_token_ = read_secret(config_.admin_token_file, "the admin token");
  log.open(config_.log_file);
}

shop_config shop_services::config() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return config_;
}

bool shop_services::authorized(const std::string& authorization) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return http::bearer_matches(authorization, admin_token_);
}

std::vector<std::string> shop_services::reload() {
  auto old = config();
  auto fresh = load_config(old.source);
  // Check every secret before changing anything: all or nothing.
  read_secret(fresh.db.password_file, "the database password");
  auto token = read_secret(fresh.admin_token_file, "the admin token");
  std::vector<std::string> restart_needed;
  if (fresh.listen.to_string() != old.listen.to_string()) {
    restart_needed.push_back("listen");
    fresh.listen = old.listen;
  }
  if (fresh.admin_listen.to_string() != old.admin_listen.to_string()) {
    restart_needed.push_back("admin_listen");
    fresh.admin_listen = old.admin_listen;
  }
  if (fresh.data_dir != old.data_dir) {
    restart_needed.push_back("data_dir");
    fresh.data_dir = old.data_dir;
  }
  log.open(fresh.log_file);
  {
    std::lock_guard<std::mutex> guard{mtx_};
    config_ = fresh;
    admin_token_ = token;
  }
  pool.configure(pool_settings(fresh.pool));
  // New connections pick up a rotated password or a moved database now.
  pool.drain_idle();
  cache.set_ttl(std::chrono::milliseconds{fresh.cache_ttl_ms});
  upstream.configure(fresh.upstream);
  return restart_needed;
}

nlohmann::json shop_services::status() const {
  auto current = config();
  auto pool_stats = pool.snapshot();
  auto upstream_settings = upstream.settings();
  return nlohmann::json{
    {"config",
     {{"source", current.source},
      {"listen", current.listen.to_string()},
      {"admin_listen", current.admin_listen.to_string()},
      {"db",
       {{"host", current.db.host},
        {"port", current.db.port},
        {"dbname", current.db.dbname},
        {"user", current.db.user},
        {"password_file", current.db.password_file},
        {"connect_timeout_s", current.db.connect_timeout_s},
        {"statement_timeout_ms", current.db.statement_timeout_ms}}},
      {"pool",
       {{"size", current.pool.size},
        {"wait_timeout_ms", current.pool.wait_timeout_ms},
        {"max_lifetime_ms", current.pool.max_lifetime_ms}}},
      {"upstream",
       {{"primary", upstream_settings.primary},
        {"fallback", upstream_settings.fallback},
        {"use", upstream_settings.use},
        {"timeout_ms", upstream_settings.timeout_ms}}},
      {"cache_ttl_ms", current.cache_ttl_ms},
      {"data_dir", current.data_dir},
      {"log_file", current.log_file},
      {"web_dir", current.web_dir}}},
    {"upstream", {{"use", upstream.in_use()}, {"url", upstream.url()}}},
    {"pool",
     {{"size", pool_stats.size},
      {"in_use", pool_stats.in_use},
      {"idle", pool_stats.idle},
      {"waiting", pool_stats.waiting},
      {"opened", pool_stats.opened},
      {"replaced", pool_stats.replaced},
      {"timeouts", pool_stats.timeouts}}},
    {"cache", {{"entries", cache.size()}, {"hits", cache.hits()}, {"misses", cache.misses()}}},
    {"leak", {{"mb_per_second", leak.rate()}, {"leaked_bytes", leak.leaked_bytes()}}},
    {"resident_memory_bytes", resident_memory_bytes()}};
}

} // namespace vigil::shop
