// The REST API's per-client token bucket: a burst, then the refill rate;
// clients do not share a bucket; made-up client names cannot grow it forever.
#define CAF_SUITE client_limiter

#include "actors/actions/client_limiter.hpp"

#include <caf/test/unit_test.hpp>

using vigil::actions::client_limiter;

CAF_TEST(a client gets its burst at once and then the refill rate) {
  client_limiter limit{2.0, 3};
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(limit.take("a", 1000));
  CAF_CHECK(!limit.take("a", 1000));
  CAF_CHECK(!limit.take("a", 1400)); // 0.8 of a token
  CAF_CHECK(limit.take("a", 1500));  // one token after 500 ms at 2/s
  CAF_CHECK(!limit.take("a", 1500));
  // Idle for long: back to the burst, never beyond it.
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(limit.take("a", 60000));
  CAF_CHECK(!limit.take("a", 60000));
}

CAF_TEST(clients do not share a bucket) {
  client_limiter limit{1.0, 1};
  CAF_CHECK(limit.take("a", 0));
  CAF_CHECK(!limit.take("a", 0));
  CAF_CHECK(limit.take("b", 0));
}

CAF_TEST(a clock going back refills nothing) {
  client_limiter limit{1.0, 1};
  CAF_CHECK(limit.take("a", 5000));
  CAF_CHECK(!limit.take("a", 1000));
}

CAF_TEST(many made up clients do not evict one that is over its limit) {
  client_limiter limit{0.001, 1};
  CAF_CHECK(limit.take("busy", 0));
  for (int i = 0; i < 12000; ++i)
    limit.take("made-up-" + std::to_string(i), 0);
  // The busy client's empty bucket was kept: still limited.
  CAF_CHECK(!limit.take("busy", 0));
}
