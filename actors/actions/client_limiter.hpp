// The REST API's per-client rate limit: one token bucket per client (its
// X-Vigil-Client header or its address), refilled at `rate_per_s` up to
// `burst`. Thread-safe: the HTTP threads share one.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace vigil::actions {

class client_limiter {
public:
  client_limiter(double rate_per_s, uint32_t burst);

  /// Takes one token of `client` at `now_ms`; false: over its limit.
  bool take(const std::string& client, int64_t now_ms);

private:
  struct bucket {
    double tokens = 0;
    int64_t last_ms = 0;
  };

  double rate_per_s_;
  double burst_;
  std::mutex mtx_;
  std::map<std::string, bucket> buckets_;
};

} // namespace vigil::actions
