// The action REST API over real HTTP: bearer token, per-client rate limit,
// bad requests, and the plane's own checks behind it (refusals change nothing).
#define CAF_SUITE rest_api
#include <caf/test/unit_test.hpp>

#include "http/client.hpp"
#include "tests/actions/action_rig.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

struct api_fixture {
  action_rig::options options() {
    action_rig::options opts{fresh_ops_store()};
    opts.api_port = free_port();
    opts.api_burst = 50;
    return opts;
  }

  action_rig rig{options()};

  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(rig.opts().api_port) + path;
  }

  http::client_response call(const std::string& method, const std::string& path,
                             const std::string& body = "", const std::string& client = "tester",
                             const std::string& token = "") {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                               {"X-Vigil-Client", client}};
    auto t = token.empty() ? rig.opts().api_token : token;
    if (t != "none")
      headers["Authorization"] = "Bearer " + t;
    return http::fetch(method, url(path), body, headers, 30s);
  }

  http::client_response act(const json& body, const std::string& client = "tester") {
    return call("POST", "/v1/actions", body.dump(), client);
  }

  std::string code_of(const http::client_response& r) {
    return json::parse(r.body, nullptr, false).value("code", "");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(rest_api_tests, api_fixture)

CAF_TEST(no or a wrong token is refused and changes nothing) {
  auto body = json{{"tool", "restart_service"},
                   {"args", {{"service", "shopd"}}},
                   {"idempotency_key", "t1"}}
                .dump();
  CAF_CHECK_EQUAL(call("POST", "/v1/actions", body, "tester", "none").status, 401);
  CAF_CHECK_EQUAL(call("POST", "/v1/actions", body, "tester", "wrong-token-0123456789").status,
                  401);
  CAF_CHECK_EQUAL(call("GET", "/v1/tools", "", "tester", "none").status, 401);
  CAF_CHECK_EQUAL(call("GET", "/v1/audit", "", "tester", "none").status, 401);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 0);
  CAF_CHECK(rig.audit().empty());
}

CAF_TEST(tools and a run through the API) {
  auto tools = call("GET", "/v1/tools");
  CAF_REQUIRE_EQUAL(tools.status, 200);
  auto list = json::parse(tools.body);
  CAF_CHECK(list.is_array() && list.size() >= 6);
  auto pid = rig.services().pid_of("shopd");
  auto r = act({{"tool", "restart_service"},
                {"args", {{"service", "shopd"}}},
                {"idempotency_key", "t2"},
                {"requested_by", "someone else"}});
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto result = json::parse(r.body);
  CAF_CHECK_EQUAL(result.value("status", ""), "done");
  CAF_CHECK_EQUAL(result.value("repeated", true), false);
  CAF_CHECK_NOT_EQUAL(rig.services().pid_of("shopd"), pid);
  auto again = act({{"tool", "restart_service"},
                    {"args", {{"service", "shopd"}}},
                    {"idempotency_key", "t2"}});
  CAF_CHECK_EQUAL(json::parse(again.body).value("repeated", false), true);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 1);
  auto audit = call("GET", "/v1/audit?limit=10");
  CAF_REQUIRE_EQUAL(audit.status, 200);
  auto rows = json::parse(audit.body);
  CAF_REQUIRE(rows.is_array() && !rows.empty());
  // The server says who asked, whatever the body claims.
  CAF_CHECK_EQUAL(rows[0].value("requested_by", ""), "api:tester");
  CAF_CHECK_EQUAL(call("GET", "/v1/audit?limit=0").status, 400);
  CAF_CHECK_EQUAL(call("GET", "/v1/audit?limit=abc").status, 400);
}

CAF_TEST(bad requests get clear errors and change nothing) {
  auto bad_json = call("POST", "/v1/actions", "{not json");
  CAF_CHECK_EQUAL(bad_json.status, 400);
  CAF_CHECK_EQUAL(call("POST", "/v1/actions", "[1, 2]").status, 400);
  CAF_CHECK_EQUAL(act({{"tool", "restart_service"}, {"sudo", true}}).status, 400);
  CAF_CHECK_EQUAL(act({{"tool", 7}}).status, 400);
  auto unknown = act({{"tool", "format_disk"}, {"idempotency_key", "t3"}});
  CAF_CHECK_EQUAL(unknown.status, 404);
  CAF_CHECK_EQUAL(code_of(unknown), "unknown_tool");
  auto no_key = act({{"tool", "restart_service"}, {"args", {{"service", "shopd"}}}});
  CAF_CHECK_EQUAL(no_key.status, 400);
  CAF_CHECK_EQUAL(code_of(no_key), "bad_args");
  auto denied = act({{"tool", "restart_service"},
                     {"args", {{"service", "postgres"}}},
                     {"idempotency_key", "t4"}});
  CAF_CHECK_EQUAL(denied.status, 403);
  CAF_CHECK_EQUAL(code_of(denied), "not_allowed");
  auto ask = act({{"tool", "stop_service"},
                  {"args", {{"service", "shopd"}}},
                  {"idempotency_key", "t5"}});
  CAF_CHECK_EQUAL(ask.status, 403);
  CAF_CHECK_EQUAL(code_of(ask), "needs_approval");
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 0);
  CAF_CHECK_EQUAL(rig.services().stops.load(), 0);
  size_t refused = 0;
  for (auto& row : rig.audit())
    if (row.phase == "refused")
      ++refused;
    else
      CAF_FAIL("a refused request left a " << row.phase << " row");
  CAF_CHECK_EQUAL(refused, 4u);
}

CAF_TEST(a client over its rate limit gets 429 and changes nothing) {
  // Burst 50 at 1 per second: 80 requests in a row cannot all pass.
  int limited = 0;
  for (int i = 0; i < 80; ++i) {
    auto r = call("GET", "/v1/tools", "", "flood");
    if (r.status == 429) {
      ++limited;
      CAF_CHECK_EQUAL(code_of(r), "rate_limited");
    }
  }
  CAF_CHECK_GREATER_OR_EQUAL(limited, 20);
  // An action from the flooding client is refused before it reaches the plane.
  bool refused = false;
  for (int i = 0; i < 10 && !refused; ++i)
    refused = act({{"tool", "restart_service"},
                   {"args", {{"service", "shopd"}}},
                   {"idempotency_key", "flood-" + std::to_string(i)}},
                  "flood")
                .status
              == 429;
  CAF_CHECK(refused);
  // Every restart that ran has its "before" row; the limited ones left none.
  size_t before = 0;
  for (auto& row : rig.audit())
    if (row.phase == "before")
      ++before;
  CAF_CHECK_EQUAL(before, static_cast<size_t>(rig.services().restarts.load()));
  CAF_CHECK_LESS_OR_EQUAL(rig.services().restarts.load(), 1);
  // Another client has its own bucket.
  CAF_CHECK_EQUAL(call("GET", "/v1/tools", "", "calm").status, 200);
}

CAF_TEST_FIXTURE_SCOPE_END()
