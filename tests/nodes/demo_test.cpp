// The README's demo, as an operator runs it: `./run demo --detach`, look with
// vigilctl, kill a child, `./run stop` — and nothing may be left running.
#define CAF_SUITE demo

#include <csignal>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

command_result run_script(std::vector<std::string> args) {
  // ./run finds the build through VIGIL_BUILD_DIR, set by CMake for this test.
  args.insert(args.begin(), std::string{VIGIL_SOURCE_DIR} + "/run");
  return run_command(args, 300s);
}

json ctl_json(std::vector<std::string> args) {
  args.insert(args.begin(), {VIGILCTL_BINARY, "--json"});
  auto r = run_command(args);
  if (r.exit_code != 0)
    return nullptr;
  return json::parse(r.out, nullptr, false);
}

int restarts_of(const std::string& path) {
  auto trees = ctl_json({"tree"});
  int result = -1;
  std::function<void(const json&)> walk = [&](const json& t) {
    if (t.value("path", "") == path)
      result = t.value("restarts", -1);
    for (auto& c : t.value("children", json::array()))
      walk(c);
  };
  if (trees.is_array())
    for (auto& t : trees)
      walk(t);
  return result;
}

std::vector<pid_t> demo_pids() {
  std::vector<pid_t> pids;
  for (auto name : {"control", "action-probe", "chaos"}) {
    auto text = read_file(std::string{VIGIL_SOURCE_DIR} + "/var/demo/pids/" + name + ".pid");
    if (!text.empty())
      pids.push_back(static_cast<pid_t>(std::stol(text)));
  }
  return pids;
}

bool alive(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

} // namespace

CAF_TEST(the demo starts detached and stops without leftovers) {
  auto started = run_script({"demo", "--detach"});
  CAF_REQUIRE_EQUAL(started.exit_code, 0);
  auto pids = demo_pids();
  CAF_CHECK_EQUAL(pids.size(), 3u);

  auto nodes = ctl_json({"nodes"});
  CAF_REQUIRE(nodes.is_array());
  std::map<std::string, json> roles;
  for (auto& n : nodes) {
    CAF_CHECK_EQUAL(n.value("status", ""), "up");
    roles[n.value("id", "")] = n["roles"];
  }
  CAF_CHECK_EQUAL(roles["control-1"], json::parse(R"(["control"])"));
  CAF_CHECK_EQUAL(roles["action-1"], json::parse(R"(["action", "probe"])"));
  CAF_CHECK_EQUAL(roles["chaos-1"], json::parse(R"(["chaos"])"));

  auto trees = ctl_json({"tree"});
  CAF_REQUIRE(trees.is_array());
  CAF_CHECK_EQUAL(trees.size(), 3u);
  for (auto& t : trees)
    CAF_CHECK_EQUAL(t.value("kind", ""), "supervisor");

  CAF_REQUIRE_EQUAL(restarts_of("action-1/membership"), 0);
  auto killed = run_command({VIGILCTL_BINARY, "kill", "action-1/membership"});
  CAF_CHECK_EQUAL(killed.exit_code, 0);
  CAF_CHECK(wait_until([] { return restarts_of("action-1/membership") == 1; }, 1s));

  // A second demo refuses to start over the running one.
  CAF_CHECK_NOT_EQUAL(run_script({"demo", "--detach"}).exit_code, 0);

  auto stopped = run_script({"stop"});
  CAF_CHECK_EQUAL(stopped.exit_code, 0);
  for (auto pid : pids)
    CAF_CHECK(!alive(pid));
  CAF_CHECK_NOT_EQUAL(run_command({VIGILCTL_BINARY, "nodes"}).exit_code, 0);
}
