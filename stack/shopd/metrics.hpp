// shopd's Prometheus metrics: request counts and latencies per route, plus
// the gauges and counters of the pool, the price cache and the process.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "stack/shopd/connection_pool.hpp"

namespace vigil::shop {

class metrics {
public:
  /// `route` is the route pattern (e.g. "/products/{sku}"), never the raw
  /// path, so that label values stay few.
  void record_request(const std::string& route, int status, double seconds);

  struct snapshot_inputs {
    connection_pool::stats pool;
    uint64_t cache_hits = 0;
    uint64_t cache_misses = 0;
  };

  /// The text exposition format (version 0.0.4).
  std::string render(const snapshot_inputs& inputs) const;

private:
  static constexpr std::array<double, 11> bucket_bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                        0.5,   1,    2.5,   5,    10};
  struct histogram {
    std::array<uint64_t, bucket_bounds.size()> buckets{}; // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mtx_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, histogram> durations_;
};

/// The resident set size from /proc/self/statm; 0 when unknown.
uint64_t resident_memory_bytes();

} // namespace vigil::shop
