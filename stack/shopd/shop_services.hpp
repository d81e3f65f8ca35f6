// Everything a running shopd shares between requests: the current config and
// admin token, the pool, cache, upstream, services, metrics and log, and how
// a reload swaps in a new config.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stack/shopd/config.hpp"
#include "stack/shopd/connection_pool.hpp"
#include "stack/shopd/leak_drill.hpp"
#include "stack/shopd/metrics.hpp"
#include "stack/shopd/order_service.hpp"
#include "stack/shopd/price_cache.hpp"
#include "stack/shopd/product_service.hpp"
#include "stack/shopd/receipt_store.hpp"
#include "stack/shopd/shop_log.hpp"
#include "stack/shopd/upstream_client.hpp"

namespace vigil::shop {

class shop_services {
public:
  /// Reads the admin token and opens the log; throws (config_error,
  /// secret_error, std::runtime_error) when it cannot start.
  explicit shop_services(shop_config config);

  shop_config config() const;

  /// True when `authorization` is "Bearer <the admin token>".
  bool authorized(const std::string& authorization) const;

  /// Re-reads the config file and secrets. A config that does not load, or
  /// a secret that cannot be read, throws and leaves everything as it was.
  /// Returns the changed fields that need a restart (kept at old values).
  std::vector<std::string> reload();

  /// Config summary, upstream in use, pool and cache numbers.
  nlohmann::json status() const;

  shop_log log;
  metrics stats;
  price_cache cache;
  upstream_client upstream;
  connection_pool pool;
  receipt_store receipts;
  product_service products;
  order_service orders;
  leak_drill leak;

private:
  mutable std::mutex mtx_;
  shop_config config_;
  std::string admin_token_;
};

} // namespace vigil::shop
