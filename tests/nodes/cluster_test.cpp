// Real node processes, checked through vigilctl as an operator would: three
// nodes as three hosts (network namespaces; loopback where those are not
// available), remote kill and restart, node loss and return, graceful stop.
#define CAF_SUITE cluster

#include <csignal>
#include <iostream>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

const std::vector<std::string> ids{"control-1", "action-1", "chaos-1"};
const std::vector<std::string> roles{R"(["control"])", R"(["action", "probe"])",
                                     R"(["chaos"])"};

/// Three nodes, one per host; host 0 runs the control node and vigilctl.
struct cluster {
  std::vector<std::string> hosts;
  std::vector<std::vector<std::string>> prefixes; // how to run a command on a host
  std::vector<uint16_t> ports;
  std::string dir = make_temp_dir("vigil-cluster");
  std::vector<child_process> nodes{3};

  void write_configs() {
    for (size_t i = 0; i < 3; ++i) {
      json cfg{{"id", ids[i]}, {"host", hosts[i]}, {"port", ports[i]},
               {"roles", json::parse(roles[i])}};
      if (i > 0)
        cfg["join"] = {hosts[0] + ":" + std::to_string(ports[0])};
      write_file(dir + "/" + ids[i] + ".json", cfg.dump(2));
    }
  }

  void start(size_t i) {
    auto argv = prefixes[i];
    for (auto arg : {VIGIL_BINARY, "node", "--config"})
      argv.push_back(arg);
    argv.push_back(dir + "/" + ids[i] + ".json");
    nodes[i] = child_process{argv, dir + "/" + ids[i] + ".log"};
  }

  command_result vigilctl(std::vector<std::string> args) {
    auto argv = prefixes[0];
    argv.push_back(VIGILCTL_BINARY);
    argv.push_back("--node");
    argv.push_back(hosts[0] + ":" + std::to_string(ports[0]));
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  /// `vigilctl --json ARGS` parsed, or null when it failed.
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

  json node(const std::string& id) {
    auto all = query({"nodes"});
    if (all.is_array())
      for (auto& n : all)
        if (n.value("id", "") == id)
          return n;
    return nullptr;
  }

  std::string status_of(const std::string& id) {
    auto n = node(id);
    return n.is_object() ? n.value("status", "") : "";
  }

  bool has_actor(const std::string& id, const std::string& actor) {
    auto n = node(id);
    if (!n.is_object() || n.value("status", "") != "up")
      return false;
    for (auto& a : n["actors"])
      if (a == actor)
        return true;
    return false;
  }

  /// Restart count of the child at `path` in its node's tree, -1 if absent.
  int restarts_of(const std::string& node_id, const std::string& path) {
    auto trees = query({"tree", node_id});
    int result = -1;
    std::function<void(const json&)> walk = [&](const json& t) {
      if (t.value("path", "") == path)
        result = t.value("restarts", -1);
      if (t.contains("children"))
        for (auto& c : t["children"])
          walk(c);
    };
    if (trees.is_array())
      for (auto& t : trees)
        walk(t);
    return result;
  }

  void dump_logs() {
    for (auto& id : ids)
      std::cerr << "---- " << id << " ----\n" << read_file(dir + "/" + id + ".log");
  }
};

void run_scenario(cluster& c) {
  c.write_configs();
  for (size_t i = 0; i < 3; ++i)
    c.start(i);

  // All three listed with their roles.
  auto all_up = [&] {
    auto nodes = c.query({"nodes"});
    if (!nodes.is_array() || nodes.size() != 3)
      return false;
    for (auto& n : nodes)
      if (n.value("status", "") != "up")
        return false;
    return true;
  };
  if (!wait_until(all_up, 20s)) {
    c.dump_logs();
    CAF_FAIL("three nodes did not come up");
  }
  // (Copies: CAF_CHECK_EQUAL keeps references, which must outlive the check.)
  auto action = c.node("action-1");
  auto chaos = c.node("chaos-1");
  auto control = c.node("control-1");
  CAF_CHECK_EQUAL(action["roles"], json::parse(roles[1]));
  CAF_CHECK_EQUAL(chaos["roles"], json::parse(roles[2]));
  CAF_CHECK_EQUAL(control["host"], c.hosts[0]);
  CAF_CHECK_EQUAL(chaos["host"], c.hosts[2]);

  // Every node's supervision tree is visible from the control node.
  auto trees = c.query({"tree"});
  CAF_REQUIRE(trees.is_array());
  CAF_CHECK_EQUAL(trees.size(), 3u);
  CAF_CHECK(c.restarts_of("control-1", "control-1/control/registry") == 0);

  // ping reaches a remote node.
  auto ping = c.query({"ping", "chaos-1"});
  CAF_CHECK(ping.is_object() && ping.value("node", "") == "chaos-1");

  // kill of an actor on a remote node: its restart count goes up within 1 s,
  // and its siblings are left alone.
  auto before = c.restarts_of("action-1", "action-1/membership");
  CAF_REQUIRE_EQUAL(before, 0);
  auto killed = c.vigilctl({"kill", "action-1/membership"});
  CAF_CHECK_EQUAL(killed.exit_code, 0);
  CAF_CHECK(wait_until([&] { return c.restarts_of("action-1", "action-1/membership") == 1; },
                       1s));
  CAF_CHECK(wait_until([&] { return c.restarts_of("action-1", "action-1/admin") == 0; }, 1s));
  // The same through the restarted admin actor of a remote node.
  CAF_CHECK_EQUAL(c.vigilctl({"kill", "chaos-1/admin"}).exit_code, 0);
  CAF_CHECK(wait_until([&] { return c.restarts_of("chaos-1", "chaos-1/admin") == 1; }, 3s));

  // Bad requests get a clear error and change nothing.
  auto unknown = c.vigilctl({"kill", "chaos-1/no-such-actor"});
  CAF_CHECK_EQUAL(unknown.exit_code, 1);
  CAF_CHECK(!unknown.err.empty());
  CAF_CHECK_EQUAL(c.vigilctl({"ping", "no-such-node"}).exit_code, 1);
  CAF_CHECK_EQUAL(c.vigilctl({"no-such-command"}).exit_code, 2);
  CAF_CHECK(all_up());

  // SIGKILL of a node process: marked down within 2 s.
  c.nodes[2].signal(SIGKILL);
  CAF_CHECK(wait_until([&] { return c.status_of("chaos-1") == "down"; }, 2s));
  // Restarted: up again, its actors registered again, no manual steps.
  c.nodes[2].wait_exit(5s);
  c.start(2);
  CAF_CHECK(wait_until([&] { return c.has_actor("chaos-1", "chaos-1/admin"); }, 10s));

  // A hung node (SIGSTOP) is marked down within 2 s and up once it resumes.
  c.nodes[1].signal(SIGSTOP);
  CAF_CHECK(wait_until([&] { return c.status_of("action-1") == "down"; }, 2s));
  c.nodes[1].signal(SIGCONT);
  CAF_CHECK(wait_until([&] { return c.status_of("action-1") == "up"; }, 10s));

  // The control node restarts: the others join it again by themselves.
  c.nodes[0].signal(SIGKILL);
  c.nodes[0].wait_exit(5s);
  c.start(0);
  CAF_CHECK(wait_until(all_up, 15s));

  // Graceful stop of a remote node: the process ends cleanly.
  auto stopped = c.vigilctl({"stop", "chaos-1"});
  CAF_CHECK_EQUAL(stopped.exit_code, 0);
  auto status = c.nodes[2].wait_exit(10s);
  CAF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CAF_CHECK(wait_until([&] { return c.status_of("chaos-1") == "down"; }, 3s));
  std::cout << "node logs: " << c.dir << "\n";
}

} // namespace

CAF_TEST(three nodes as three hosts) {
  test_network net{3};
  cluster c;
  if (net.ok()) {
    for (size_t i = 0; i < 3; ++i) {
      c.hosts.push_back(net.address(i));
      c.prefixes.push_back(net.on_host(i));
      c.ports.push_back(4200 + static_cast<uint16_t>(i));
    }
  } else {
    std::cout << "NOTE: network namespaces unavailable (" << net.problem()
              << "); running the three-host test on loopback instead\n";
    for (size_t i = 0; i < 3; ++i) {
      c.hosts.push_back("127.0.0.1");
      c.prefixes.push_back({});
      c.ports.push_back(free_port());
    }
  }
  run_scenario(c);
}

CAF_TEST(three nodes on loopback) {
  cluster c;
  for (size_t i = 0; i < 3; ++i) {
    c.hosts.push_back("127.0.0.1");
    c.prefixes.push_back({});
    c.ports.push_back(free_port());
  }
  run_scenario(c);
}
