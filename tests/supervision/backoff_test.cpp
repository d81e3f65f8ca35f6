// The restart delay under an exponential backoff: doubling from min, capped
// at max, stretched by at most random_factor, never shrunk.
#define CAF_SUITE backoff

#include "supervision/backoff.hpp"

#include <caf/test/unit_test.hpp>

using namespace std::chrono_literals;
using namespace vigil::supervision;

CAF_TEST(the delay doubles per restart in a row and stops at the cap) {
  backoff_policy p;
  p.min = 100ms;
  p.max = 1s;
  p.random_factor = 0;
  std::mt19937_64 rng{1};
  CAF_CHECK_EQUAL(backoff_delay(p, 0, rng), caf::timespan{100ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 1, rng), caf::timespan{200ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 3, rng), caf::timespan{800ms});
  CAF_CHECK_EQUAL(backoff_delay(p, 4, rng), caf::timespan{1s});
  // A streak far beyond 64 doublings neither overflows nor passes the cap.
  CAF_CHECK_EQUAL(backoff_delay(p, 4000000000u, rng), caf::timespan{1s});
}

CAF_TEST(the random factor only stretches the delay and within its bound) {
  backoff_policy p;
  p.min = 100ms;
  p.max = 10s;
  p.random_factor = 0.5;
  std::mt19937_64 rng{42};
  bool varied = false;
  auto first = backoff_delay(p, 2, rng);
  for (int i = 0; i < 200; ++i) {
    auto d = backoff_delay(p, 2, rng);
    CAF_CHECK_GREATER_OR_EQUAL(d, caf::timespan{400ms});
    CAF_CHECK_LESS(d, caf::timespan{600ms});
    varied = varied || d != first;
  }
  CAF_CHECK(varied); // restarts of many children do not fire in lockstep
}
