#include "actors/probes/sli_window.hpp"

#include <algorithm>
#include <cmath>

namespace vigil::probes {

double percentile(std::vector<double> samples, double q) {
  if (samples.empty())
    return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank ceil(q * n), 1-based; q = 0 means the smallest sample.
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
  auto index = rank == 0 ? 0 : rank - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index),
                   samples.end());
  return samples[index];
}

void sli_window::record(double latency_ms, bool ok) {
  latencies_.push_back(latency_ms);
  if (!ok)
    ++failures_;
}

sli_snapshot sli_window::close(const std::string& service, int64_t end_unix_ms,
                               uint32_t window_ms) {
  sli_snapshot s;
  s.service = service;
  s.window_end_unix_ms = end_unix_ms;
  s.window_ms = window_ms;
  s.requests = latencies_.size();
  s.failures = failures_;
  s.success_ratio = s.requests == 0
                      ? 1.0
                      : static_cast<double>(s.requests - s.failures)
                          / static_cast<double>(s.requests);
  s.p50_ms = percentile(latencies_, 0.50);
  s.p95_ms = percentile(latencies_, 0.95);
  s.p99_ms = percentile(latencies_, 0.99);
  latencies_.clear();
  failures_ = 0;
  return s;
}

} // namespace vigil::probes
