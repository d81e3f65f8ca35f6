// Window and percentile math of the synthetic traffic's SLIs.
#define CAF_SUITE sli_window

#include "actors/probes/sli_window.hpp"

#include <caf/test/unit_test.hpp>

using namespace vigil;
using namespace vigil::probes;

CAF_TEST(percentile of nothing is zero) {
  CAF_CHECK_EQUAL(percentile({}, 0.5), 0.0);
}

CAF_TEST(percentile is the nearest rank which is a measured value) {
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) // unsorted on purpose
    hundred.push_back(i);
  CAF_CHECK_EQUAL(percentile(hundred, 0.50), 50.0);
  CAF_CHECK_EQUAL(percentile(hundred, 0.95), 95.0);
  CAF_CHECK_EQUAL(percentile(hundred, 0.99), 99.0);
  CAF_CHECK_EQUAL(percentile(hundred, 1.0), 100.0);
  CAF_CHECK_EQUAL(percentile(hundred, 0.0), 1.0);
  // Ten samples: p50 is the 5th, p95 and p99 the 10th.
  std::vector<double> ten{10, 20, 30, 40, 50, 60, 70, 80, 90, 1000};
  CAF_CHECK_EQUAL(percentile(ten, 0.50), 50.0);
  CAF_CHECK_EQUAL(percentile(ten, 0.95), 1000.0);
  CAF_CHECK_EQUAL(percentile(ten, 0.99), 1000.0);
  CAF_CHECK_EQUAL(percentile({7}, 0.99), 7.0);
}

CAF_TEST(out of range quantiles are clamped) {
  CAF_CHECK_EQUAL(percentile({1, 2, 3}, -1), 1.0);
  CAF_CHECK_EQUAL(percentile({1, 2, 3}, 2), 3.0);
}

CAF_TEST(a window counts failures and latencies then starts afresh) {
  sli_window w;
  for (int i = 1; i <= 20; ++i)
    w.record(i, i % 4 != 0); // 5 of 20 fail
  CAF_CHECK_EQUAL(w.requests(), 20u);
  auto s = w.close("shopd", 1000, 5000);
  CAF_CHECK_EQUAL(s.service, "shopd");
  CAF_CHECK_EQUAL(s.window_end_unix_ms, 1000);
  CAF_CHECK_EQUAL(s.window_ms, 5000u);
  CAF_CHECK_EQUAL(s.requests, 20u);
  CAF_CHECK_EQUAL(s.failures, 5u);
  CAF_CHECK_EQUAL(s.success_ratio, 0.75);
  CAF_CHECK_EQUAL(s.p50_ms, 10.0);
  CAF_CHECK_EQUAL(s.p95_ms, 19.0);
  CAF_CHECK_EQUAL(s.p99_ms, 20.0);
  CAF_CHECK_EQUAL(w.requests(), 0u);
  auto empty = w.close("shopd", 2000, 5000);
  CAF_CHECK_EQUAL(empty.requests, 0u);
  CAF_CHECK_EQUAL(empty.failures, 0u);
  CAF_CHECK_EQUAL(empty.success_ratio, 1.0);
  CAF_CHECK_EQUAL(empty.p99_ms, 0.0);
}
