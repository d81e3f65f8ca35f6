// Prices from the upstream, kept in memory for a TTL so that a short upstream
// outage does not stop the shop; counts hits and misses for /metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace vigil::shop {

struct price {
  int64_t cents = 0;
  std::string source; ///< As the upstream named itself.
};

class price_cache {
public:
  using clock = std::chrono::steady_clock;

  explicit price_cache(std::chrono::milliseconds ttl);

  /// The price when cached and fresh (a hit), else nothing (a miss).
  std::optional<price> find(const std::string& sku);

  void put(const std::string& sku, price value);
  void clear();
  void set_ttl(std::chrono::milliseconds ttl);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  size_t size() const;

private:
  struct slot {
    price value;
    clock::time_point stored_at;
  };

  mutable std::mutex mtx_;
  std::chrono::milliseconds ttl_;
  std::map<std::string, slot> prices_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

} // namespace vigil::shop
