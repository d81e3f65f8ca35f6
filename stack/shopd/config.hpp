// shopd's configuration: JSON (comments allowed), validated field by field.
// Relative paths are resolved against the config file's folder.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vigil::shop {

/// A bad config; the message names the file and the field.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct listen_address {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

struct db_config {
  std::string host = "127.0.0.1";
  uint16_t port = 5432;
  std::string dbname = "shop";
  std::string user = "shop";
  std::string password_file;          ///< The password lives only there.
  uint32_t connect_timeout_s = 3;
  uint32_t statement_timeout_ms = 5000; ///< Bounds waits on locks, too.
};

struct pool_config {
  uint32_t size = 8;
  uint32_t wait_timeout_ms = 2000;
  uint32_t max_lifetime_ms = 300000;
};

struct upstream_config {
  std::string primary;  ///< Base URL of pricingd, e.g. "http://127.0.0.1:8090".
  std::string fallback; ///< Optional second pricingd.
  std::string use = "primary";
  uint32_t timeout_ms = 1000;
};

struct shop_config {
  std::string source;                 ///< The file it came from.
  listen_address listen{"127.0.0.1", 8080};
  listen_address admin_listen{"127.0.0.1", 8081};
  std::string admin_token_file;
  db_config db;
  pool_config pool;
  upstream_config upstream;
  uint32_t cache_ttl_ms = 30000;
  std::string data_dir;               ///< Receipts go to data_dir/receipts/.
  std::string log_file;               ///< Empty: stderr.
  std::string web_dir;
  std::string migrations_dir;
  std::string catalog;

  std::string receipts_dir() const { return data_dir + "/receipts"; }
};

/// Reads and validates `path`; throws config_error naming the field.
shop_config load_config(const std::string& path);

/// Parses `text` as if read from `origin`, whose folder anchors relative paths.
shop_config parse_config(const std::string& text, const std::string& origin);

} // namespace vigil::shop
