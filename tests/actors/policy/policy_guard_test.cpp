// The policy applied to one tool request: allowed tools and targets, the
// stricter of the tool's and the risk's mode, the actions rate limit and the
// per-service restart intensity, and a check that records nothing.
#define CAF_SUITE policy_guard

#include "actors/policy/policy_guard.hpp"
#include "messages/action_target.hpp"

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

using namespace vigil;
using namespace vigil::policy;
using json = nlohmann::json;

namespace {

policy_config config() {
  policy_config c;
  c.tools["restart_service"] = {policy_mode::automatic, {"shopd", "dbproxy"}};
  c.tools["rotate_db_secret"] = {policy_mode::automatic, {}};
  c.tools["stop_service"] = {policy_mode::deny, {}};
  c.max_actions = 5;
  c.actions_window_s = 60;
  c.max_restarts = 2;
  c.restarts_window_s = 300;
  return c;
}

} // namespace

CAF_TEST(only listed tools on listed targets are allowed) {
  guard g{config()};
  CAF_CHECK(g.classify("kill_process", "low", json::object()).mode == policy_mode::deny);
  auto other = g.classify("restart_service", "low", {{"service", "postgres"}});
  CAF_CHECK(other.mode == policy_mode::deny);
  CAF_CHECK_EQUAL(other.reason, "restart_service may not act on 'postgres'");
  CAF_CHECK(g.classify("restart_service", "low", {{"service", "shopd"}}).mode
            == policy_mode::automatic);
  CAF_CHECK(g.classify("stop_service", "low", {{"service", "shopd"}}).mode == policy_mode::deny);
}

CAF_TEST(the stricter of the tool and the risk wins) {
  guard g{config()};
  auto high = g.classify("rotate_db_secret", "high", {{"role", "shop"}});
  CAF_CHECK(high.mode == policy_mode::ask);
  CAF_CHECK_EQUAL(high.reason, "rotate_db_secret needs a human's approval (high risk)");
  // A risk that is not "low" is treated as high: never automatic by a typo.
  CAF_CHECK(g.classify("rotate_db_secret", "lwo", {{"role", "shop"}}).mode == policy_mode::ask);
}

CAF_TEST(the actions limit refuses once the window is full and frees as it moves) {
  guard g{config()};
  for (int i = 0; i < 5; ++i)
    CAF_CHECK(!g.admit("rotate_db_secret", {{"role", "shop"}}, 1000 + i));
  auto r = g.admit("rotate_db_secret", {{"role", "shop"}}, 2000);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->code, "rate_limited");
  CAF_CHECK(!g.admit("rotate_db_secret", {{"role", "shop"}}, 1000 + 60000)); // the first left
}

CAF_TEST(restarts of one service are limited and other services are not) {
  guard g{config()};
  json shopd{{"service", "shopd"}};
  CAF_CHECK(!g.admit("restart_service", shopd, 0));
  CAF_CHECK(!g.admit("start_service", shopd, 1000)); // a start counts as a restart
  auto r = g.admit("restart_service", shopd, 2000);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->code, "restart_intensity");
  CAF_CHECK(!g.admit("restart_service", {{"service", "dbproxy"}}, 2000));
  CAF_CHECK(!g.admit("restart_service", shopd, 300001)); // both left the window
}

CAF_TEST(a check only admission records nothing) {
  guard g{config()};
  json shopd{{"service", "shopd"}};
  for (int i = 0; i < 10; ++i)
    CAF_CHECK(!g.admit("restart_service", shopd, i, true));
  CAF_CHECK(!g.admit("restart_service", shopd, 20));
}

CAF_TEST(the target is the first named argument that is text) {
  CAF_CHECK_EQUAL(action_target({{"service", 3}, {"role", "shop"}}), "shop");
  CAF_CHECK_EQUAL(action_target({{"path", "/tmp"}}), "/tmp");
  CAF_CHECK_EQUAL(action_target(json::array()), "");
  CAF_CHECK_EQUAL(action_target(json::object()), "");
}
