// The service manager in a real node, driven by vigilctl through another
// node's admin: control node + action node with a stack, on loopback.
#define CAF_SUITE services_vigilctl

#include <csignal>
#include <filesystem>
#include <iostream>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

struct two_nodes {
  std::string dir = make_temp_dir("vigil-services-ctl");
  uint16_t control_port = free_port();
  uint16_t action_port = free_port();
  child_process control;
  child_process action;

  two_nodes() {
    std::filesystem::create_directories(dir + "/stack");
    write_file(dir + "/stack/services.json", R"(// two sleepers
      { "log_dir": "logs",
        "services": [
          { "name": "alpha", "command": "/bin/sh", "args": ["-c", "echo alpha up; exec sleep 1000"] },
          { "name": "beta", "command": "/bin/sleep", "args": ["1000"], "autostart": false,
            "stop_timeout_ms": 2000 } ] })");
    json control_cfg{{"id", "control-1"}, {"port", control_port}, {"roles", json::array({"control"})},
                     {"heartbeat_ms", 100}, {"down_after_ms", 1000}};
    json action_cfg{{"id", "action-1"}, {"port", action_port}, {"roles", json::array({"action"})},
                    {"join", json::array({"127.0.0.1:" + std::to_string(control_port)})},
                    {"heartbeat_ms", 100}, {"down_after_ms", 1000},
                    {"stack", "stack/services.json"}};
    write_file(dir + "/control.json", control_cfg.dump());
    write_file(dir + "/action.json", action_cfg.dump());
    control = child_process{{VIGIL_BINARY, "node", "--config", dir + "/control.json"},
                            dir + "/control.log"};
    action = child_process{{VIGIL_BINARY, "node", "--config", dir + "/action.json"},
                           dir + "/action.log"};
  }

  ~two_nodes() {
    action.signal(SIGTERM);
    action.wait_exit(20s);
    control.signal(SIGTERM);
    control.wait_exit(10s);
  }

  command_result vigilctl(std::vector<std::string> args) {
    std::vector<std::string> argv{VIGILCTL_BINARY, "--node",
                                  "127.0.0.1:" + std::to_string(control_port), "--timeout",
                                  "10"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  json query(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    auto r = vigilctl(args);
    if (r.exit_code != 0)
      return nullptr;
    try {
      return json::parse(r.out);
    } catch (...) {
      return nullptr;
    }
  }

  std::string state_of(const std::string& name) {
    auto all = query({"services"});
    if (all.is_array())
      for (auto& s : all)
        if (s.value("name", "") == name)
          return s.value("state", "");
    return "";
  }

  void dump_logs() {
    std::cerr << "---- control ----\n" << read_file(dir + "/control.log");
    std::cerr << "---- action ----\n" << read_file(dir + "/action.log");
  }
};

} // namespace

CAF_TEST(vigilctl lists and drives the services of the action node) {
  two_nodes nodes;
  if (!wait_until([&] { return nodes.state_of("alpha") == "running"; }, 30s)) {
    nodes.dump_logs();
    CAF_FAIL("alpha never showed as running through vigilctl");
  }
  auto table = nodes.vigilctl({"services"});
  CAF_CHECK_EQUAL(table.exit_code, 0);
  CAF_CHECK(table.out.find("SERVICE") != std::string::npos);
  CAF_CHECK(table.out.find("alpha") != std::string::npos);
  CAF_CHECK_EQUAL(nodes.state_of("beta"), "stopped");
  auto started = nodes.query({"service", "start", "beta", "--node-id", "action-1"});
  CAF_REQUIRE(started.is_object());
  CAF_CHECK_EQUAL(started.value("state", ""), "running");
  auto restarted = nodes.query({"service", "restart", "beta"});
  CAF_REQUIRE(restarted.is_object());
  CAF_CHECK_EQUAL(restarted.value("restarts", 0), 1);
  auto stopped = nodes.vigilctl({"service", "stop", "beta"});
  CAF_CHECK_EQUAL(stopped.exit_code, 0);
  CAF_CHECK(stopped.out.find("beta: stopped") != std::string::npos);
  auto unknown = nodes.vigilctl({"service", "status", "gamma"});
  CAF_CHECK_EQUAL(unknown.exit_code, 1);
  CAF_CHECK(unknown.err.find("services::unknown_service: gamma") != std::string::npos);
  auto not_running = nodes.vigilctl({"service", "stop", "beta"});
  CAF_CHECK(not_running.err.find("services::not_running") != std::string::npos);
  auto no_manager = nodes.vigilctl({"services", "control-1"});
  CAF_CHECK_EQUAL(no_manager.exit_code, 1);
  CAF_CHECK(no_manager.err.find("control-1/action/services") != std::string::npos);
  auto bad_action = nodes.vigilctl({"service", "bounce", "beta"});
  CAF_CHECK_EQUAL(bad_action.exit_code, 2);
  // Output of the service went to its log under the stack's log folder.
  CAF_CHECK(read_file(nodes.dir + "/stack/logs/alpha.log").find("alpha up") != std::string::npos);
  // Killing the manager actor does not touch the services: the restarted
  // manager adopts alpha with the same pid.
  auto before = nodes.query({"service", "status", "alpha"});
  CAF_REQUIRE(before.is_object());
  auto killed = nodes.vigilctl({"kill", "action-1/action/services"});
  CAF_CHECK_EQUAL(killed.exit_code, 0);
  CAF_CHECK(wait_until(
    [&] {
      auto after = nodes.query({"service", "status", "alpha"});
      return after.is_object() && after.value("state", "") == "running"
             && after.value("pid", 0) == before.value("pid", -1);
    },
    20s));
  auto pid = before.value("pid", 0);
  // A node stopped gracefully stops its services first.
  nodes.action.signal(SIGTERM);
  CAF_CHECK(nodes.action.wait_exit(20s) >= 0);
  CAF_CHECK(pid > 0 && ::kill(pid, 0) != 0);
}
