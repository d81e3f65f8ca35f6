// The action plane on the real demo (`./run demo --detach`): its REST API
// (token, rate limit, refusals that change nothing), a real restart of shopd,
// a killed node started again, and `vigilctl actions`.
#define CAF_SUITE actions_demo

#include <csignal>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "tests/support/demo.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

const std::string root = VIGIL_SOURCE_DIR;
const std::string api = "http://127.0.0.1:8110";

/// The ops store outlives demo runs: keys are unique per test run.
std::string key(const std::string& name) {
  static const auto run = std::to_string(
    std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(1));
  return "demo-test/" + run + "/" + name;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

std::string token() {
  return trimmed(read_file(root + "/var/secrets/action-api-token"));
}

/// The demo, started once for this executable and stopped at its end.
demo_cluster& the_demo() {
  static demo_cluster d{root, VIGILCTL_BINARY};
  return d;
}

http::client_response call(const std::string& method, const std::string& path,
                           const json& body = nullptr, const std::string& bearer = token(),
                           const std::string& client = "demo-test") {
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                             {"X-Vigil-Client", client}};
  if (!bearer.empty())
    headers["Authorization"] = "Bearer " + bearer;
  return http::fetch(method, api + path, body.is_null() ? "" : body.dump(), headers, 150s);
}

json ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{VIGILCTL_BINARY, "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_command(argv, 150s);
  return json::parse(r.out, nullptr, false);
}

int shopd_pid() {
  auto all = ctl({"services"});
  if (all.is_array())
    for (auto& s : all)
      if (s.value("name", "") == "shopd" && s.value("state", "") == "running")
        return s.value("pid", 0);
  return 0;
}

std::string node_status(const std::string& id) {
  auto nodes = ctl({"nodes"});
  if (nodes.is_array())
    for (auto& n : nodes)
      if (n.value("id", "") == id)
        return n.value("status", "");
  return "";
}

/// The plane is up once the API answers with its tools.
bool plane_ready() {
  try {
    return call("GET", "/v1/tools").status == 200;
  } catch (const http::client_error&) {
    return false;
  }
}

} // namespace

CAF_TEST(the action API on the demo) {
  CAF_REQUIRE(the_demo().up);
  CAF_REQUIRE(wait_until(plane_ready, 60s));
  CAF_REQUIRE(wait_until([] { return shopd_pid() > 0; }, 60s));
  auto pid = shopd_pid();
  auto restart = json{{"tool", "restart_service"},
                      {"args", {{"service", "shopd"}}},
                      {"idempotency_key", key("restart-1")}};
  // Unauthenticated: refused, nothing changes.
  CAF_CHECK_EQUAL(call("POST", "/v1/actions", restart, "").status, 401);
  CAF_CHECK_EQUAL(call("POST", "/v1/actions", restart, "not-the-token-at-all").status, 401);
  CAF_CHECK_EQUAL(shopd_pid(), pid);
  // Outside the policy's targets: refused and audited, nothing changes.
  auto denied = call("POST", "/v1/actions",
                     {{"tool", "restart_service"},
                      {"args", {{"service", "postgres"}}},
                      {"idempotency_key", key("denied-1")}});
  CAF_CHECK_EQUAL(denied.status, 403);
  auto bad = call("POST", "/v1/actions", {{"tool", "no_such_tool"}, {"idempotency_key", "x"}});
  CAF_CHECK_EQUAL(bad.status, 404);
  CAF_CHECK_EQUAL(shopd_pid(), pid);
  auto audit = json::parse(call("GET", "/v1/audit?limit=20").body, nullptr, false);
  bool refused_seen = false;
  CAF_REQUIRE(audit.is_array());
  for (auto& row : audit)
    if (row.value("idempotency_key", "") == key("denied-1")) {
      CAF_CHECK_EQUAL(row.value("phase", ""), "refused");
      CAF_CHECK_EQUAL(row.value("status", ""), "not_allowed");
      refused_seen = true;
    }
  CAF_CHECK(refused_seen);
  // A real restart: a new pid, ready.
  auto r = call("POST", "/v1/actions", restart);
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto result = json::parse(r.body);
  CAF_CHECK_EQUAL(result.value("status", ""), "done");
  auto new_pid = shopd_pid();
  CAF_CHECK(new_pid > 0);
  CAF_CHECK_NOT_EQUAL(new_pid, pid);
  // The same key again: answered from the record, shopd untouched.
  auto again = json::parse(call("POST", "/v1/actions", restart).body);
  CAF_CHECK_EQUAL(again.value("repeated", false), true);
  CAF_CHECK_EQUAL(shopd_pid(), new_pid);
  // Over the per-client limit (burst 10, 5 per second).
  int limited = 0;
  for (int i = 0; i < 40 && limited == 0; ++i)
    if (call("GET", "/v1/tools", nullptr, token(), "flood").status == 429)
      ++limited;
  CAF_CHECK_GREATER(limited, 0);
  CAF_CHECK_EQUAL(shopd_pid(), new_pid);
}

CAF_TEST(vigilctl actions) {
  CAF_REQUIRE(the_demo().up);
  CAF_REQUIRE(wait_until(plane_ready, 60s));
  auto tools = ctl({"actions", "tools"});
  CAF_REQUIRE(tools.is_array());
  CAF_CHECK_GREATER_OR_EQUAL(tools.size(), 6u);
  auto run = ctl({"actions", "run", "restart_actor", "--args",
                  R"({"actor": "control-1/control/status"})", "--key", key("actor-1")});
  CAF_CHECK_EQUAL(run.value("status", ""), "done");
  CAF_CHECK_EQUAL(run["output"].value("changed", true), false);
  auto audit = ctl({"actions", "audit", "--limit", "5"});
  CAF_REQUIRE(audit.is_array());
  CAF_CHECK(!audit.empty());
  auto denied = run_command({VIGILCTL_BINARY, "actions", "run", "stop_service", "--args",
                             R"({"service": "shopd"})", "--key", key("stop-1")},
                            60s);
  CAF_CHECK_EQUAL(denied.exit_code, 1);
  CAF_CHECK(denied.err.find("approval") != std::string::npos);
}

CAF_TEST(start_node starts a killed node) {
  CAF_REQUIRE(the_demo().up);
  CAF_REQUIRE(wait_until(plane_ready, 60s));
  CAF_REQUIRE(wait_until([] { return node_status("chaos-1") == "up"; }, 60s));
  auto pid = std::stoi(trimmed(read_file(root + "/var/demo/pids/chaos.pid")));
  CAF_REQUIRE_EQUAL(::kill(pid, SIGKILL), 0);
  CAF_REQUIRE(wait_until([] { return node_status("chaos-1") == "down"; }, 30s));
  auto r = call("POST", "/v1/actions",
                {{"tool", "start_node"},
                 {"args", {{"node", "chaos-1"}}},
                 {"idempotency_key", key("start-chaos")}});
  CAF_REQUIRE_EQUAL(r.status, 200);
  auto result = json::parse(r.body);
  CAF_CHECK_EQUAL(result.value("status", ""), "done");
  CAF_CHECK(wait_until([] { return node_status("chaos-1") == "up"; }, 30s));
  auto new_pid = std::stoi(trimmed(read_file(root + "/var/demo/pids/chaos.pid")));
  CAF_CHECK_NOT_EQUAL(new_pid, pid);
  CAF_CHECK_EQUAL(::kill(new_pid, 0), 0);
  // Up now: a new key leaves it alone.
  auto again = json::parse(call("POST", "/v1/actions",
                                {{"tool", "start_node"},
                                 {"args", {{"node", "chaos-1"}}},
                                 {"idempotency_key", key("start-chaos-2")}})
                             .body);
  // output is the tool's JSON object as text (action_result::output).
  auto output = json::parse(again.value("output", "{}"), nullptr, false);
  CAF_REQUIRE(output.is_object());
  CAF_CHECK_EQUAL(output.value("changed", true), false);
}
