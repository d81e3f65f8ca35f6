// The whole loop on the real demo (`./run demo --detach`), with a fault made
// by hand, outside the chaos plane: shopd killed with SIGKILL. Perception
// must open an incident, diagnosis name process_crash, the planner start
// shopd again through the action plane, the verifier prove it, and the
// incident end resolved, visible through vigilctl.
#define CAF_SUITE loop_demo

#include <csignal>
#include <iostream>

#include <sys/types.h>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

int64_t unix_ms_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const std::string root = VIGIL_SOURCE_DIR;

struct demo {
  bool up = false;
  demo() {
    run_command({root + "/run", "stop"}, 120s);
    auto r = run_command({root + "/run", "demo", "--detach"}, 600s);
    up = r.exit_code == 0;
    if (!up)
      std::cerr << "./run demo failed:\n" << r.out << r.err << "\n";
  }
  ~demo() {
    run_command({root + "/run", "stop"}, 120s);
  }
};

command_result vigilctl(std::vector<std::string> args, std::chrono::seconds timeout = 30s) {
  args.insert(args.begin(), std::string{VIGILCTL_BINARY});
  return run_command(args, timeout);
}

json ctl(std::vector<std::string> args, std::chrono::seconds timeout = 30s) {
  args.insert(args.begin(), "--json");
  return json::parse(vigilctl(std::move(args), timeout).out, nullptr, false);
}

/// Every service on the status board is ok.
bool all_healthy() {
  auto status = ctl({"status"});
  if (!status.is_array() || status.empty())
    return false;
  for (auto& s : status)
    if (s.value("health", "") != "ok")
      return false;
  return true;
}

json service(const std::string& name) {
  auto services = ctl({"services"});
  if (services.is_array())
    for (auto& s : services)
      if (s.value("name", "") == name)
        return s;
  return json::object();
}

/// The newest incident opened since `since_ms` that names `svc`, as the
/// coordinator lists it.
json incident_of(const std::string& svc, int64_t since_ms) {
  auto list = ctl({"incidents", "--all"});
  if (!list.is_array())
    return json();
  for (auto& x : list)
    for (auto& s : x.value("opened_unix_ms", int64_t{0}) >= since_ms
                     ? x.value("services", json::array())
                     : json::array())
      if (s == svc)
        return x;
  return json();
}

} // namespace

CAF_TEST(a shopd killed by hand is detected diagnosed restarted and verified) {
  demo d;
  CAF_REQUIRE(d.up);
  CAF_REQUIRE(wait_until(all_healthy, 180s));
  // The ops store outlives demo runs: a pause or open incidents left by an
  // earlier run are cleared first, as an operator would (resume, reject what
  // waits for a human), so the kill below is a problem of its own.
  CAF_REQUIRE_EQUAL(ctl({"agents", "resume"}).value("paused", true), false);
  auto pending = ctl({"approvals"});
  if (pending.is_array())
    for (auto& a : pending)
      vigilctl({"reject", a.value("id", ""), "--reason", "left by an earlier test run"});
  CAF_REQUIRE(wait_until(
    [] {
      auto open = ctl({"incidents"});
      return open.is_array() && open.empty();
    },
    120s));
  // Only incidents opened from now on count.
  auto since = unix_ms_now();
  CAF_REQUIRE(incident_of("shopd", since).is_null());
  auto pid = service("shopd").value("pid", 0);
  CAF_REQUIRE(pid > 0);
  CAF_MESSAGE("kill -9 shopd (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
  json x;
  CAF_REQUIRE(wait_until([&] { return !(x = incident_of("shopd", since)).is_null(); }, 60s));
  auto id = x.value("id", "");
  CAF_MESSAGE("incident " << id << " opened");
  auto closed = wait_until(
    [&] {
      x = ctl({"incident", id});
      auto state = x.value("state", "");
      return state == "resolved" || state == "escalated";
    },
    300s);
  if (!closed || x.value("state", "") != "resolved")
    CAF_MESSAGE("incident: " << vigilctl({"incident", id}).out);
  CAF_REQUIRE(closed);
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_REQUIRE(!x["hypotheses"].empty());
  CAF_CHECK_EQUAL(x["hypotheses"][0].value("root_cause", ""), "process_crash");
  // The step that fixed it ran once, automatically, and was verified.
  bool verified = false;
  for (auto& s : x["plan"])
    if (s.value("state", "") == "verified") {
      verified = true;
      CAF_CHECK_EQUAL(s.value("approved_by", ""), "policy");
    }
  CAF_CHECK(verified);
  CAF_CHECK(x.value("mitigated_unix_ms", int64_t{0}) >= x.value("opened_unix_ms", int64_t{0}));
  CAF_CHECK_EQUAL(service("shopd").value("state", ""), "running");
  // The same incident for people: hypotheses, plan, timeline.
  auto text = vigilctl({"incident", id});
  CAF_CHECK_EQUAL(text.exit_code, 0);
  CAF_CHECK(text.out.find("timeline (UTC):") != std::string::npos);
  CAF_CHECK(text.out.find("process_crash") != std::string::npos);
}
