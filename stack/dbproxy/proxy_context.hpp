// What every proxied connection shares: the upstream address, the current
// latency toxic and the open-connection count. Thread-safe: the control API
// changes it from its own threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include <spdlog/logger.h>

#include "stack/dbproxy/host_port.hpp"
#include "stack/dbproxy/latency_toxic.hpp"

namespace vigil::dbproxy {

class proxy_context {
public:
  proxy_context(host_port upstream, std::shared_ptr<spdlog::logger> log);

  const host_port& upstream() const { return upstream_; }
  spdlog::logger& log() { return *log_; }

  void set_latency(const latency_toxic& toxic);
  latency_toxic latency() const;
  /// How long to hold the next chunk: delay_ms plus uniform jitter in ±jitter_ms.
  std::chrono::milliseconds sample_delay();

  /// Called when a client connects and when its connection closes.
  uint64_t connection_opened();
  void connection_closed();
  size_t open_connections() const { return open_connections_; }

private:
  host_port upstream_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  latency_toxic latency_; // guarded by mutex_
  std::mt19937_64 random_; // guarded by mutex_
  std::atomic<size_t> open_connections_{0};
  std::atomic<uint64_t> next_connection_id_{1};
};

} // namespace vigil::dbproxy
