// Placing and listing orders. An order's row commits only after its receipt
// is durably on disk; a failed receipt rolls the order back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stack/shopd/connection_pool.hpp"
#include "stack/shopd/product_service.hpp"
#include "stack/shopd/receipt_store.hpp"
#include "stack/shopd/shop_log.hpp"

namespace vigil::shop {

struct order_request {
  std::string sku;
  int32_t quantity = 0;
};

struct order {
  int64_t id = 0;
  std::string sku;
  int32_t quantity = 0;
  int64_t unit_price_cents = 0;
  int64_t total_cents = 0;
  std::string created_at; ///< ISO 8601, UTC.
};

class order_service {
public:
  static constexpr int32_t max_quantity = 1000;

  order_service(connection_pool& pool, product_service& products, receipt_store& receipts);

  /// Parses {"sku": "...", "quantity": N}; throws api_error(400) naming the
  /// field.
  static order_request parse_request(const std::string& body);

  /// Throws api_error (400: unknown SKU), upstream_error (no price),
  /// db_error, or receipt_error (the order was rolled back).
  order place(const order_request& request);

  /// The latest `limit` orders, newest first.
  std::vector<order> latest(size_t limit);

private:
  connection_pool& pool_;
  product_service& products_;
  receipt_store& receipts_;
};

} // namespace vigil::shop
