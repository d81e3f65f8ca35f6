#include "actors/actions/client_limiter.hpp"

#include <algorithm>
#include <iterator>

namespace vigil::actions {

namespace {

/// Beyond this many clients, full buckets (idle clients) are forgotten, so
/// made-up client names cannot grow the map without bound.
constexpr size_t max_clients = 10000;

} // namespace

client_limiter::client_limiter(double rate_per_s, uint32_t burst)
  : rate_per_s_(rate_per_s), burst_(static_cast<double>(std::max<uint32_t>(burst, 1))) {
  // nop
}

bool client_limiter::take(const std::string& client, int64_t now_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto refill = [&](bucket& b) {
    auto elapsed_s = static_cast<double>(std::max<int64_t>(now_ms - b.last_ms, 0)) / 1000.0;
    b.tokens = std::min(burst_, b.tokens + elapsed_s * rate_per_s_);
    b.last_ms = now_ms;
  };
  if (buckets_.size() >= max_clients && buckets_.count(client) == 0)
    for (auto i = buckets_.begin(); i != buckets_.end();) {
      refill(i->second);
      i = i->second.tokens >= burst_ ? buckets_.erase(i) : std::next(i);
    }
  auto [i, added] = buckets_.try_emplace(client, bucket{burst_, now_ms});
  auto& b = i->second;
  if (!added)
    refill(b);
  if (b.tokens < 1.0)
    return false;
  b.tokens -= 1.0;
  return true;
}

} // namespace vigil::actions
