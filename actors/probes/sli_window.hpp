// One SLI window of synthetic traffic: counts outcomes and latencies, then
// closes into an sli_snapshot (success ratio, p50/p95/p99) and starts afresh.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/observability.hpp"

namespace vigil::probes {

/// Nearest-rank percentile (`q` in 0..1) of `samples`; 0 when empty. The
/// nearest rank is always a value that was measured, never an interpolation.
double percentile(std::vector<double> samples, double q);

class sli_window {
public:
  /// One request: how long it took (failures too: a timeout is slow) and
  /// whether it succeeded.
  void record(double latency_ms, bool ok);

  /// The window's SLIs, then resets. An empty window has ratio 1 and no
  /// latencies: nothing failed because nothing was asked.
  sli_snapshot close(const std::string& service, int64_t end_unix_ms, uint32_t window_ms);

  uint64_t requests() const { return latencies_.size(); }

private:
  std::vector<double> latencies_;
  uint64_t failures_ = 0;
};

} // namespace vigil::probes
