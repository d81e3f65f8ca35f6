// The pricing upstream (pricingd): a primary and an optional fallback URL,
// which one is used switchable at runtime, every call bounded by a timeout.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "stack/shopd/config.hpp"
#include "stack/shopd/price_cache.hpp"

namespace vigil::shop {

/// The upstream failed or answered nonsense; the message says which and where.
class upstream_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class upstream_client {
public:
  explicit upstream_client(upstream_config config);

  /// GET /prices/{sku}.
  price fetch_price(const std::string& sku);

  /// GET /prices: every price the upstream knows.
  std::map<std::string, price> fetch_all();

  /// Switches to "primary" or "fallback"; throws std::invalid_argument when
  /// that is unknown or not configured.
  void use(const std::string& which);

  /// Applies a reloaded config; keeps a runtime switch unless the file's
  /// `use` changed, so a reload for another reason does not undo it.
  void configure(const upstream_config& config);

  std::string in_use() const;
  std::string url() const; ///< Base URL of the upstream in use.
  upstream_config settings() const;

private:
  std::string get(const std::string& path);

  mutable std::mutex mtx_;
  upstream_config config_;
  std::string use_;
};

} // namespace vigil::shop
