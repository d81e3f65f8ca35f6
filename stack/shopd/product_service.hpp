// Products from the database with their current prices, taken from the price
// cache or, on a miss, from the upstream (whose answers then fill the cache).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stack/shopd/catalog.hpp"
#include "stack/shopd/connection_pool.hpp"
#include "stack/shopd/price_cache.hpp"
#include "stack/shopd/upstream_client.hpp"

namespace vigil::shop {

struct priced_product {
  product item;
  price current;
};

class product_service {
public:
  product_service(connection_pool& pool, price_cache& cache, upstream_client& upstream);

  /// Every product; throws db_error, or upstream_error when a price is
  /// neither cached nor available upstream.
  std::vector<priced_product> list();

  /// The product, or nothing when the SKU is unknown.
  std::optional<priced_product> find(const std::string& sku);

  /// The product without a price (for orders, before asking the upstream).
  std::optional<product> lookup(const std::string& sku);

  /// The current price of `sku`: cached, else from the upstream.
  price quote(const std::string& sku);

private:
  connection_pool& pool_;
  price_cache& cache_;
  upstream_client& upstream_;
};

} // namespace vigil::shop
