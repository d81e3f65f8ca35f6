// Shared proxy settings; see proxy_context.hpp.
#include "stack/dbproxy/proxy_context.hpp"

namespace vigil::dbproxy {

proxy_context::proxy_context(host_port upstream, std::shared_ptr<spdlog::logger> log)
  : upstream_(std::move(upstream)), log_(std::move(log)), random_(std::random_device{}()) {
}

void proxy_context::set_latency(const latency_toxic& toxic) {
  std::lock_guard<std::mutex> guard(mutex_);
  latency_ = toxic;
}

latency_toxic proxy_context::latency() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return latency_;
}

std::chrono::milliseconds proxy_context::sample_delay() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (latency_.jitter_ms == 0)
    return std::chrono::milliseconds(latency_.delay_ms);
  std::uniform_int_distribution<int64_t> jitter(-latency_.jitter_ms, latency_.jitter_ms);
  return std::chrono::milliseconds(latency_.delay_ms + jitter(random_));
}

uint64_t proxy_context::connection_opened() {
  ++open_connections_;
  return next_connection_id_++;
}

void proxy_context::connection_closed() {
  --open_connections_;
}

} // namespace vigil::dbproxy
