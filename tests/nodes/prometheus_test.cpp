// The real Prometheus (/usr/bin/prometheus) scraping the demo: every Vigil
// node and shopd up as targets, the nodes' series queried back, a restart
// after `vigilctl kill` counted, and every query of the Grafana dashboard
// accepted, with data wherever its metrics exist. No process is left behind.
#define CAF_SUITE prometheus

#include <csignal>
#include <cctype>
#include <functional>
#include <iostream>
#include <regex>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::test;
using json = nlohmann::json;

/// A check whose failure also prints why (CAF 0.17 has no CAF_CHECK_MESSAGE).
#define CHECK_SAYING(condition, why)                                                 \
  do {                                                                             \
    bool holds = (condition);                                                      \
    if (!holds)                                                                    \
      std::cerr << "check failed: " << why << std::endl;                           \
    CAF_CHECK(holds);                                                              \
  } while (false)

namespace {

const std::string source_dir = VIGIL_SOURCE_DIR;
const std::string prometheus_binary = "/usr/bin/prometheus";

/// What every node's endpoint exports whatever runs on it (nodes/node_metrics.cpp,
/// metrics/process.cpp); vigil_cluster_node_up comes from the control node.
const std::vector<std::string> node_families{
  "vigil_node_info", "vigil_node_start_time_seconds", "vigil_supervisor_restarts_total",
  "vigil_supervisor_child_status", "vigil_actor_mailbox_delay_seconds", "vigil_actor_responsive",
  "vigil_cluster_node_up", "vigil_metrics_collect_duration_seconds", "process_cpu_seconds_total",
  "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_start_time_seconds",
  "process_open_fds", "process_max_fds", "process_threads"};

std::string percent_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// The GET's body as JSON; null when Prometheus does not answer.
json get_json(const std::string& url) {
  try {
    auto r = http::fetch("GET", url, "", {}, 10s);
    return json::parse(r.body, nullptr, false);
  } catch (const http::client_error&) {
    return nullptr;
  }
}

/// The demo's metrics_listen addresses, from its node configs.
std::vector<std::string> demo_metrics_targets() {
  std::vector<std::string> targets;
  for (auto name : {"control", "action-probe", "chaos"}) {
    auto text = read_file(source_dir + "/config/demo/" + name + ".json");
    auto cfg = json::parse(text, nullptr, false, /*ignore_comments=*/true);
    if (cfg.is_object() && cfg.contains("metrics_listen"))
      targets.push_back(cfg["metrics_listen"].get<std::string>());
  }
  return targets;
}

/// Runs the demo and Prometheus; stops both however the test ends.
struct demo_with_prometheus {
  std::string dir = make_temp_dir("vigil-prometheus");
  uint16_t port = free_port();
  child_process prometheus;
  bool demo_started = false;

  /// SIGTERM to Prometheus, `./run stop`; true when both went cleanly.
  bool stop() {
    bool clean = true;
    if (prometheus.pid() > 0 && prometheus.running()) {
      prometheus.signal(SIGTERM);
      auto status = prometheus.wait_exit(20s);
      clean = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (demo_started) {
      demo_started = false;
      clean = run_script({"stop"}).exit_code == 0 && clean;
    }
    return clean;
  }

  // A failed requirement ends the test early: still stop everything.
  ~demo_with_prometheus() {
    stop();
  }

  static command_result run_script(std::vector<std::string> args) {
    // ./run finds the build through VIGIL_BUILD_DIR, set by CMake for this test.
    args.insert(args.begin(), source_dir + "/run");
    return run_command(args, 300s);
  }

  std::string api(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + "/api/v1/" + path;
  }

  json query(const std::string& promql) const {
    return get_json(api("query?query=" + percent_encode(promql)));
  }

  /// The instant vector of `promql` (empty when it fails or has no data).
  json vector_of(const std::string& promql) const {
    auto r = query(promql);
    if (!r.is_object() || r.value("status", "") != "success")
      return json::array();
    return r["data"].value("result", json::array());
  }
};

double value_of(const json& sample) {
  return std::stod(sample["value"][1].get<std::string>());
}

std::vector<pid_t> demo_pids() {
  std::vector<pid_t> pids;
  for (auto name : {"control", "action-probe", "chaos"}) {
    auto text = read_file(source_dir + "/var/demo/pids/" + name + ".pid");
    if (!text.empty())
      pids.push_back(static_cast<pid_t>(std::stol(text)));
  }
  return pids;
}

/// Metric names a PromQL expression reads: identifiers of our families
/// outside label matchers (label names never carry these prefixes).
std::set<std::string> metric_names(const std::string& expr) {
  static const std::regex matchers{R"(\{[^}]*\})"};
  static const std::regex name{R"(\b(vigil_[a-z0-9_]+|process_[a-z0-9_]+|up)\b)"};
  auto bare = std::regex_replace(expr, matchers, "{}");
  std::set<std::string> names;
  for (std::sregex_iterator i{bare.begin(), bare.end(), name}, end; i != end; ++i)
    names.insert((*i)[1]);
  return names;
}

/// Every query of a Grafana dashboard, rows' nested panels included.
std::vector<std::string> dashboard_queries(const json& dashboard) {
  std::vector<std::string> exprs;
  std::function<void(const json&)> walk = [&](const json& panels) {
    for (auto& p : panels) {
      for (auto& t : p.value("targets", json::array()))
        if (t.contains("expr"))
          exprs.push_back(t["expr"].get<std::string>());
      walk(p.value("panels", json::array()));
    }
  };
  walk(dashboard.value("panels", json::array()));
  return exprs;
}

/// Grafana's built-in variables, as Grafana would fill them for a 1 s scrape.
std::string with_grafana_variables(std::string expr) {
  for (auto [variable, value] : {std::pair{"$__rate_interval", "15s"},
                                 std::pair{"$__interval", "1s"}, std::pair{"$__range", "5m"}}) {
    for (auto at = expr.find(variable); at != std::string::npos; at = expr.find(variable))
      expr.replace(at, std::string{variable}.size(), value);
  }
  return expr;
}

} // namespace

CAF_TEST(prometheus scrapes the demo and runs every dashboard query) {
  if (::access(prometheus_binary.c_str(), X_OK) != 0)
    CAF_FAIL(prometheus_binary << " is missing: ./run deps installs it (Debian package "
                                  "prometheus)");
  auto vigil_targets = demo_metrics_targets();
  CAF_REQUIRE_EQUAL(vigil_targets.size(), 3u);
  // The shipped scrape config names exactly the demo's endpoints and shopd.
  auto config_path = source_dir + "/config/prometheus/demo.yml";
  auto config = read_file(config_path);
  for (auto& target : vigil_targets)
    CAF_CHECK(config.find("'" + target + "'") != std::string::npos);
  CAF_CHECK(config.find("'127.0.0.1:8080'") != std::string::npos);

  demo_with_prometheus env;
  auto started = env.run_script({"demo", "--detach"});
  env.demo_started = started.exit_code == 0;
  if (!env.demo_started)
    CAF_FAIL("./run demo --detach failed (is a demo running already?): " << started.err);

  env.prometheus = child_process{{prometheus_binary, "--config.file=" + config_path,
                                  "--storage.tsdb.path=" + env.dir + "/data",
                                  "--web.listen-address=127.0.0.1:" + std::to_string(env.port),
                                  "--log.level=warn"},
                                 env.dir + "/prometheus.log"};
  CAF_MESSAGE("prometheus on port " << env.port << ", log " << env.dir << "/prometheus.log");

  // Every target up: 3 nodes and shopd.
  json targets;
  bool all_up = wait_until(
    [&] {
      targets = get_json(env.api("targets?state=active"));
      if (!targets.is_object())
        return false;
      auto active = targets["data"].value("activeTargets", json::array());
      size_t up = 0;
      for (auto& t : active)
        up += t.value("health", "") == "up" ? 1 : 0;
      return active.size() == 4 && up == 4;
    },
    60s);
  if (!all_up)
    std::cerr << "targets: " << targets.dump(2) << "\nprometheus log:\n"
              << read_file(env.dir + "/prometheus.log") << std::endl;
  CAF_REQUIRE(all_up);

  // up == 1 for each job, one series per target.
  auto vigil_up = env.vector_of(R"(up{job="vigil"} == 1)");
  CAF_CHECK_EQUAL(vigil_up.size(), 3u);
  CAF_CHECK_EQUAL(env.vector_of(R"(up{job="shopd"} == 1)").size(), 1u);

  // Each node says who it is.
  std::map<std::string, std::string> roles;
  for (auto& s : env.vector_of("vigil_node_info"))
    roles[s["metric"].value("node", "")] = s["metric"].value("roles", "");
  CAF_CHECK_EQUAL(roles["control-1"], "control");
  CAF_CHECK_EQUAL(roles["action-1"], "action,probe");
  CAF_CHECK_EQUAL(roles["chaos-1"], "chaos");

  // The control node's registry sees all three up.
  CAF_CHECK(wait_until([&] { return env.vector_of("vigil_cluster_node_up == 1").size() == 3; }, 30s));

  // Every family of the node endpoint is there, on each node where it belongs.
  for (auto& family : node_families) {
    auto per_node = env.vector_of("count by (instance) (" + family + "{job=\"vigil\"})");
    size_t expected = family == "vigil_cluster_node_up" ? 1 : 3;
    CHECK_SAYING(per_node.size() == expected,
                      family << ": on " << per_node.size() << " nodes, expected " << expected);
  }
  for (auto& s : env.vector_of(R"(process_resident_memory_bytes{job="vigil"})"))
    CAF_CHECK_GREATER(value_of(s), 1e6);

  // A killed actor's restart reaches Prometheus.
  auto restarts_query = R"(vigil_supervisor_restarts_total{path="action-1/membership"})";
  auto before = env.vector_of(restarts_query);
  CAF_REQUIRE_EQUAL(before.size(), 1u);
  auto restarts_before = value_of(before[0]);
  auto killed = run_command({VIGILCTL_BINARY, "kill", "action-1/membership"});
  CAF_CHECK_EQUAL(killed.exit_code, 0);
  CAF_CHECK(wait_until(
    [&] {
      auto now = env.vector_of(restarts_query);
      return now.size() == 1 && value_of(now[0]) == restarts_before + 1;
    },
    30s));

  // The dashboard: every query valid; data wherever all its metrics exist now.
  auto dashboard = json::parse(read_file(source_dir + "/config/grafana/vigil.json"), nullptr, false);
  CAF_REQUIRE(dashboard.is_object());
  auto exprs = dashboard_queries(dashboard);
  CAF_CHECK_GREATER(exprs.size(), 10u);
  std::set<std::string> known;
  auto names = get_json(env.api("label/__name__/values"));
  CAF_REQUIRE(names.is_object() && names["data"].is_array());
  for (auto& name : names["data"])
    known.insert(name.get<std::string>());
  std::vector<std::string> pending;
  for (auto& expr : exprs) {
    auto promql = with_grafana_variables(expr);
    auto r = env.query(promql);
    CHECK_SAYING(r.is_object() && r.value("status", "") == "success",
                      "dashboard query refused: " << promql << ": " << r.dump());
    bool exported = true;
    for (auto& name : metric_names(expr))
      exported = exported && known.count(name) > 0;
    if (exported)
      pending.push_back(promql);
    else
      CAF_MESSAGE("no data expected yet (a metric is not exported now): " << promql);
  }
  // Rates need two samples of a series: give each query a few scrapes.
  for (auto& promql : pending)
    CHECK_SAYING(wait_until([&] { return !env.vector_of(promql).empty(); }, 30s),
                      "dashboard query without data: " << promql);
  for (auto& family : node_families)
    CHECK_SAYING(known.count(family) > 0, family << " is not in Prometheus");

  // Stopped: Prometheus exited 0, the demo's nodes are gone.
  auto pids = demo_pids();
  CAF_CHECK(env.stop());
  for (auto pid : pids)
    CAF_CHECK_NOT_EQUAL(::kill(pid, 0), 0);
  CAF_CHECK(!env.prometheus.running());
  CAF_CHECK_NOT_EQUAL(run_command({VIGILCTL_BINARY, "nodes"}).exit_code, 0);
}
