// The OTP restart limit: more than `intensity` restarts younger than
// `period` exceed it; one exactly `period` old no longer counts.
#define CAF_SUITE restart_intensity

#include "supervision/restart_intensity.hpp"

#include <caf/test/unit_test.hpp>

using namespace std::chrono_literals;
using namespace vigil::supervision;

CAF_TEST(more restarts than the intensity within the period exceed it) {
  restart_intensity limit{3, caf::timespan{10s}};
  restart_intensity::time_point t0{};
  CAF_CHECK(!limit.record(t0));
  CAF_CHECK(!limit.record(t0 + 1s));
  CAF_CHECK(!limit.record(t0 + 2s));
  CAF_CHECK(limit.record(t0 + 3s)); // the fourth within 10 s
  CAF_CHECK_EQUAL(limit.restarts_in_window(), 4u);
}

CAF_TEST(restarts older than the period are forgotten) {
  restart_intensity limit{2, caf::timespan{10s}};
  restart_intensity::time_point t0{};
  CAF_CHECK(!limit.record(t0));
  CAF_CHECK(!limit.record(t0 + 5s));
  // Exactly one period after the first: that one is out, two remain.
  CAF_CHECK(!limit.record(t0 + 10s));
  CAF_CHECK_EQUAL(limit.restarts_in_window(), 2u);
  CAF_CHECK(limit.record(t0 + 11s)); // 5 s, 10 s and 11 s: three within 10 s
  // Long quiet: the window empties but for the newest.
  CAF_CHECK(!limit.record(t0 + 60s));
  CAF_CHECK_EQUAL(limit.restarts_in_window(), 1u);
}

CAF_TEST(an intensity of zero gives up at the first restart) {
  restart_intensity limit{0, caf::timespan{5s}};
  CAF_CHECK(limit.record(restart_intensity::time_point{}));
}
