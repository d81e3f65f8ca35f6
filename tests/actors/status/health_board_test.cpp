// Hysteresis of per-service health, without actors: down at once, degraded
// after degrade_after results in a row, recovered after recover_after.
#define CAF_SUITE health_board

#include "actors/status/health_board.hpp"

#include <stdexcept>

#include <caf/test/unit_test.hpp>

using namespace vigil;
using namespace vigil::status;

namespace {

probe_result result(const std::string& probe, const std::string& target,
                    const std::string& status, const std::string& detail = "") {
  probe_result r;
  r.probe = probe;
  r.kind = "http";
  r.target = target;
  r.status = status;
  r.detail = detail.empty() ? status : detail;
  return r;
}

template <class F>
bool refused(F f) {
  try {
    f();
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

std::string health_of(const health_board& b, const std::string& service) {
  for (auto& h : b.snapshot())
    if (h.service == service)
      return h.health;
  return "absent";
}

} // namespace

CAF_TEST(the first result sets the health at once) {
  health_board b;
  CAF_CHECK(b.snapshot().empty());
  auto changed = b.observe(result("shopd-http", "shopd", "ok"), 100);
  CAF_REQUIRE(changed);
  CAF_CHECK_EQUAL(changed->health, "ok");
  CAF_CHECK_EQUAL(changed->since_unix_ms, 100);
  CAF_CHECK(changed->failing.empty());
  CAF_CHECK_EQUAL(changed->reason, "");
}

CAF_TEST(down counts at once and recovery waits for recover_after oks) {
  health_board b{board_settings{2, 3}};
  b.observe(result("shopd-http", "shopd", "ok"), 1);
  auto down = b.observe(result("shopd-http", "shopd", "down", "connection refused"), 2);
  CAF_REQUIRE(down);
  CAF_CHECK_EQUAL(down->health, "down");
  CAF_CHECK_EQUAL(down->reason, "shopd-http: connection refused");
  CAF_CHECK_EQUAL(down->failing, std::vector<std::string>{"shopd-http"});
  CAF_CHECK_EQUAL(down->since_unix_ms, 2);
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 3));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 4));
  CAF_CHECK_EQUAL(health_of(b, "shopd"), "down");
  auto up = b.observe(result("shopd-http", "shopd", "ok"), 5);
  CAF_REQUIRE(up);
  CAF_CHECK_EQUAL(up->health, "ok");
  CAF_CHECK_EQUAL(up->since_unix_ms, 5);
  CAF_CHECK(up->failing.empty());
}

CAF_TEST(one blip does not flap a service) {
  health_board b{board_settings{2, 3}};
  b.observe(result("shopd-http", "shopd", "ok"), 1);
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "degraded"), 2));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 3));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "degraded"), 4));
  CAF_CHECK_EQUAL(health_of(b, "shopd"), "ok");
  auto degraded = b.observe(result("shopd-http", "shopd", "degraded", "slow"), 5);
  CAF_REQUIRE(degraded);
  CAF_CHECK_EQUAL(degraded->health, "degraded");
  // An ok in between restarts the count towards recovery.
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 6));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 7));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "degraded"), 8));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 9));
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 10));
  CAF_CHECK_EQUAL(health_of(b, "shopd"), "degraded");
  CAF_CHECK(b.observe(result("shopd-http", "shopd", "ok"), 11));
  CAF_CHECK_EQUAL(health_of(b, "shopd"), "ok");
}

CAF_TEST(a service is as bad as its worst probe) {
  health_board b;
  b.observe(result("shopd-http", "shopd", "ok"), 1);
  b.observe(result("shopd-process", "shopd", "ok"), 1);
  auto down = b.observe(result("shopd-process", "shopd", "down", "not running"), 2);
  CAF_REQUIRE(down);
  CAF_CHECK_EQUAL(down->reason, "shopd-process: not running");
  // Another probe's ok does not hide the failing one.
  CAF_CHECK(!b.observe(result("shopd-http", "shopd", "ok"), 3));
  CAF_CHECK_EQUAL(health_of(b, "shopd"), "down");
  // Services are apart: the DB stays ok.
  b.observe(result("db-sql", "target-db", "ok"), 3);
  CAF_CHECK_EQUAL(health_of(b, "target-db"), "ok");
  auto all = b.snapshot();
  CAF_REQUIRE_EQUAL(all.size(), 2u);
  CAF_CHECK_EQUAL(all[0].service, "shopd");
  CAF_CHECK_EQUAL(all[1].service, "target-db");
}

CAF_TEST(sli windows count as a traffic probe and are kept as the latest slis) {
  health_board b{board_settings{1, 2}};
  sli_snapshot s;
  s.service = "shopd";
  s.requests = 100;
  s.failures = 0;
  s.success_ratio = 1;
  s.p99_ms = 12;
  auto ok = b.observe(s, 1);
  CAF_REQUIRE(ok);
  CAF_CHECK_EQUAL(ok->health, "ok");
  CAF_CHECK_EQUAL(ok->sli.requests, 100u);
  s.failures = 60;
  s.success_ratio = 0.4;
  auto down = b.observe(s, 2);
  CAF_REQUIRE(down);
  CAF_CHECK_EQUAL(down->health, "down");
  CAF_CHECK_EQUAL(down->failing, std::vector<std::string>{"traffic"});
  CAF_CHECK(down->reason.find("40.0% of 100") != std::string::npos);
  // An empty window says nothing: no change, but it is the latest SLI.
  sli_snapshot empty;
  empty.service = "shopd";
  CAF_CHECK(!b.observe(empty, 3));
  CAF_CHECK_EQUAL(b.snapshot()[0].sli.requests, 0u);
  CAF_CHECK_EQUAL(b.snapshot()[0].health, "down");
}

CAF_TEST(silent probes expire and leave the service unknown) {
  board_settings settings;
  settings.stale_after_ms = 1000;
  health_board b{settings};
  b.observe(result("shopd-http", "shopd", "down"), 0);
  CAF_CHECK(b.expire(1000).empty());
  auto changed = b.expire(1001);
  CAF_REQUIRE_EQUAL(changed.size(), 1u);
  CAF_CHECK_EQUAL(changed[0].health, "unknown");
  CAF_CHECK(changed[0].failing.empty());
}

CAF_TEST(bad results are refused and change nothing) {
  health_board b;
  b.observe(result("shopd-http", "shopd", "ok"), 1);
  CAF_CHECK(refused([&] { b.observe(result("shopd-http", "shopd", "on fire"), 2); }));
  CAF_CHECK(refused([&] { b.observe(result("shopd-http", "", "down"), 2); }));
  CAF_CHECK(refused([&] { b.observe(sli_snapshot{}, 2); }));
  CAF_CHECK_EQUAL(b.snapshot().size(), 1u);
  CAF_CHECK_EQUAL(health_of(b, "shopd"), "ok");
}
