// A node's /metrics and /healthz over real HTTP: the node's own series
// (info, supervision tree, mailbox delays, cluster, process), restarts seen
// after a kill, the endpoint restarted like any child, a hung actor costing a
// scrape no more than the ask timeout, and a busy port refused at start.
#define CAF_SUITE metrics_endpoint

#include "nodes/metrics_endpoint.hpp"

#include <cmath>
#include <future>
#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

#include "http/client.hpp"
#include "http/server.hpp"
#include "nodes/node.hpp"
#include "nodes/node_system_config.hpp"
#include "supervision/supervisor.hpp"
#include "tests/support/process.hpp"
#include "messages/unix_time.hpp"

using namespace std::chrono_literals;
using namespace vigil;

namespace {

/// The value of `series` (name and labels exactly as rendered) in an
/// exposition text; NaN when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, series.size() + 1, series + " ") == 0)
      return std::stod(line.substr(series.size() + 1));
  return std::nan("");
}

bool has(const std::string& text, const std::string& series) {
  return !std::isnan(sample(text, series));
}

std::string url(uint16_t port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

/// GET /metrics; "" when the endpoint does not answer 200.
std::string scrape(uint16_t port) {
  try {
    auto r = http::fetch("GET", url(port, "/metrics"));
    return r.status == 200 ? r.body : "";
  } catch (const http::client_error&) {
    return "";
  }
}

int status_of(const std::string& method, uint16_t port, const std::string& path) {
  try {
    return http::fetch(method, url(port, path)).status;
  } catch (const http::client_error&) {
    return -1;
  }
}

node_config test_config(const std::string& id) {
  node_config cfg;
  cfg.id = id;
  cfg.roles = {"control"};
  cfg.port = test::free_port();
  cfg.metrics_listen = "127.0.0.1:" + std::to_string(test::free_port());
  return cfg;
}

uint16_t metrics_port(const node_config& cfg) {
  return parse_endpoint(cfg.metrics_listen, "metrics_listen").port;
}

/// Enough scheduler threads that one actor blocked on purpose stalls nobody else.
struct test_system_config : node_system_config {
  explicit test_system_config(const node_config& cfg) : node_system_config(cfg) {
    set("scheduler.max-threads", 4);
  }
};

/// A node's root supervisor run in this process, stopped at the end.
struct running_node {
  explicit running_node(node_config cfg)
    : caf_cfg(cfg), sys(caf_cfg), ctx(std::make_shared<node_context>(cfg, now_unix_ms())) {
  }

  void start(supervision::supervisor_spec spec) {
    root = supervision::spawn_supervisor(sys, std::move(spec));
    ctx->directory->put(ctx->config.id, caf::actor_cast<caf::actor>(root));
  }

  /// Stops the root and waits for it; returns its exit reason.
  caf::error stop() {
    caf::error reason;
    caf::scoped_actor self{sys};
    self->monitor(root);
    self->send_exit(root, caf::exit_reason::user_shutdown);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                  caf::after(std::chrono::seconds(30)) >> [&] { reason = caf::sec::request_timeout; });
    return reason;
  }

  test_system_config caf_cfg;
  caf::actor_system sys;
  node_context_ptr ctx;
  supervisor_actor root;
};

using block_atom = caf::atom_constant<caf::atom("block")>;

/// An actor that stops answering anything while the test holds `release`,
/// like an actor stuck in a slow call.
caf::behavior blockable(caf::event_based_actor*, std::shared_future<void> release) {
  return {[release](block_atom) { release.wait(); }};
}

supervision::child_spec blockable_child(std::shared_future<void> release) {
  supervision::child_spec spec;
  spec.id = "stuck";
  spec.shutdown = supervision::shutdown_policy::brutal_kill();
  spec.start = [release](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn(blockable, release);
  };
  return spec;
}

} // namespace

CAF_TEST(a control node serves its series and its health) {
  auto cfg = test_config("m-1");
  auto port = metrics_port(cfg);
  running_node node{cfg};
  node.start(node_root_spec(node.ctx));
  CAF_REQUIRE(test::wait_until([&] { return status_of("GET", port, "/healthz") == 200; }, 10s));
  auto health = http::fetch("GET", url(port, "/healthz"));
  CAF_CHECK_EQUAL(health.body, "ok m-1\n");

  auto response = http::fetch("GET", url(port, "/metrics"));
  CAF_CHECK_EQUAL(response.status, 200);
  CAF_CHECK_EQUAL(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  auto text = response.body;
  CAF_CHECK_EQUAL(sample(text, R"(vigil_node_info{node="m-1",roles="control"})"), 1.0);
  auto started = sample(text, R"(vigil_node_start_time_seconds{node="m-1"})");
  CAF_CHECK_LESS_OR_EQUAL(std::abs(started - node.ctx->started_unix_ms / 1000.0), 0.001);
  for (auto path : {"m-1", "m-1/control", "m-1/control/registry", "m-1/admin", "m-1/membership",
                    "m-1/metrics"}) {
    CAF_MESSAGE("path " << path);
    auto labels = std::string{"{node=\"m-1\",path=\""} + path + "\"";
    CAF_CHECK_EQUAL(sample(text, "vigil_supervisor_restarts_total" + labels + "}"), 0.0);
    CAF_CHECK_EQUAL(sample(text, "vigil_supervisor_child_status" + labels + ",status=\"running\"}"),
                    1.0);
    CAF_CHECK_EQUAL(sample(text, "vigil_supervisor_child_status" + labels + ",status=\"stopped\"}"),
                    0.0);
    auto actor = std::string{"{actor=\""} + path + "\",node=\"m-1\"}";
    CAF_CHECK_EQUAL(sample(text, "vigil_actor_responsive" + actor), 1.0);
    auto delay = sample(text, "vigil_actor_mailbox_delay_seconds" + actor);
    CAF_CHECK(delay >= 0 && delay < 1);
  }
  CAF_CHECK_GREATER(sample(text, "process_resident_memory_bytes"), 1e6);
  CAF_CHECK_GREATER_OR_EQUAL(sample(text, "process_cpu_seconds_total"), 0.0);
  CAF_CHECK(has(text, R"(vigil_metrics_collect_duration_seconds{node="m-1"})"));
  CAF_CHECK(text.find("# TYPE vigil_supervisor_restarts_total counter\n") != std::string::npos);
  // The membership actor registers the node with its own registry shortly.
  CAF_CHECK(test::wait_until(
    [&] { return sample(scrape(port), R"(vigil_cluster_node_up{node="m-1"})") == 1.0; }, 10s));

  // Only the two routes, only GET.
  CAF_CHECK_EQUAL(status_of("GET", port, "/nope"), 404);
  CAF_CHECK_EQUAL(status_of("GET", port, "/"), 404);
  CAF_CHECK_EQUAL(status_of("POST", port, "/metrics"), 405);

  // A killed child's restart shows in the next scrape.
  caf::anon_send_exit(node.ctx->directory->get("m-1/admin"), caf::exit_reason::kill);
  CAF_CHECK(test::wait_until(
    [&] {
      return sample(scrape(port), R"(vigil_supervisor_restarts_total{node="m-1",path="m-1/admin"})")
             == 1.0;
    },
    10s));
  CAF_CHECK(has(scrape(port), R"(vigil_supervisor_last_exit_timestamp_seconds{node="m-1",path="m-1/admin"})"));

  // The endpoint is a child like any other: killed, it listens again.
  caf::anon_send_exit(node.ctx->directory->get("m-1/metrics"), caf::exit_reason::kill);
  CAF_CHECK(test::wait_until(
    [&] {
      return sample(scrape(port), R"(vigil_supervisor_restarts_total{node="m-1",path="m-1/metrics"})")
             == 1.0;
    },
    10s));

  // A stopped node stops listening: nothing is left serving the port.
  CAF_CHECK_EQUAL(node.stop(), caf::error{caf::exit_reason::user_shutdown});
  CAF_CHECK_EQUAL(status_of("GET", port, "/healthz"), -1);
}

CAF_TEST(a hung actor costs a scrape only the ask timeout) {
  auto cfg = test_config("s-1");
  auto port = metrics_port(cfg);
  // Declared before the node: its actors may use them until the node is gone.
  metrics::registry reg;
  std::promise<void> release;
  running_node node{cfg};
  metrics_endpoint_options opts;
  opts.registry = &reg;
  opts.ask_timeout = 300ms;
  auto spec = supervision::supervisor_spec{};
  spec.name = "s-1";
  spec.directory = node.ctx->directory;
  spec.children.push_back(blockable_child(release.get_future().share()));
  spec.children.push_back(metrics_endpoint_child(node.ctx, opts));
  node.start(spec);
  CAF_REQUIRE(test::wait_until([&] { return !scrape(port).empty(); }, 10s));
  CAF_CHECK_EQUAL(sample(scrape(port), R"(vigil_actor_responsive{actor="s-1/stuck",node="s-1"})"),
                  1.0);

  caf::anon_send(node.ctx->directory->get("s-1/stuck"), block_atom::value);
  auto before = std::chrono::steady_clock::now();
  std::string text;
  CAF_CHECK(test::wait_until(
    [&] {
      text = scrape(port);
      return sample(text, R"(vigil_actor_responsive{actor="s-1/stuck",node="s-1"})") == 0.0;
    },
    10s));
  // Each scrape waited at most the ask timeout for the stuck actor.
  CAF_CHECK(std::chrono::steady_clock::now() - before < 5s);
  CAF_CHECK(!has(text, R"(vigil_actor_mailbox_delay_seconds{actor="s-1/stuck",node="s-1"})"));
  CAF_CHECK_EQUAL(sample(text, R"(vigil_actor_responsive{actor="s-1/metrics",node="s-1"})"), 1.0);
  // Its own registry: the node's series went there, not to the global one.
  CAF_CHECK(has(reg.render(), R"(vigil_node_info{node="s-1",roles="control"})"));

  release.set_value();
  CAF_CHECK(test::wait_until(
    [&] {
      return sample(scrape(port), R"(vigil_actor_responsive{actor="s-1/stuck",node="s-1"})") == 1.0;
    },
    10s));
  CAF_CHECK_EQUAL(node.stop(), caf::error{caf::exit_reason::user_shutdown});
}

CAF_TEST(too many scrapes at once are answered 503) {
  auto cfg = test_config("c-1");
  auto port = metrics_port(cfg);
  metrics::registry reg;
  std::promise<void> release;
  running_node node{cfg};
  metrics_endpoint_options opts;
  opts.registry = &reg;
  opts.ask_timeout = 3s; // a scrape of the stuck actor below stays open this long
  opts.max_concurrent_scrapes = 1;
  auto spec = supervision::supervisor_spec{};
  spec.name = "c-1";
  spec.directory = node.ctx->directory;
  spec.children.push_back(blockable_child(release.get_future().share()));
  spec.children.push_back(metrics_endpoint_child(node.ctx, opts));
  node.start(spec);
  CAF_REQUIRE(test::wait_until([&] { return status_of("GET", port, "/healthz") == 200; }, 10s));
  caf::anon_send(node.ctx->directory->get("c-1/stuck"), block_atom::value);
  std::vector<std::future<int>> scrapes;
  for (int i = 0; i < 3; ++i)
    scrapes.push_back(std::async(std::launch::async, [port] {
      return status_of("GET", port, "/metrics");
    }));
  std::map<int, int> statuses;
  for (auto& s : scrapes)
    ++statuses[s.get()];
  CAF_CHECK_EQUAL(statuses[200], 1);
  CAF_CHECK_EQUAL(statuses[503], 2);
  release.set_value();
  // The slot is free again afterwards.
  CAF_CHECK_EQUAL(status_of("GET", port, "/metrics"), 200);
  CAF_CHECK_EQUAL(node.stop(), caf::error{caf::exit_reason::user_shutdown});
}

CAF_TEST(a busy port fails the start and says why) {
  auto cfg = test_config("b-1");
  http::server::options so;
  so.port = metrics_port(cfg);
  http::server squatter{so};
  squatter.route("GET", "/metrics", [](const http::request&, http::responder r) {
    r(http::text(200, "someone else\n"));
  });
  squatter.start();
  running_node node{cfg};
  caf::error reason;
  {
    caf::scoped_actor self{node.sys};
    auto spec = supervision::supervisor_spec{};
    spec.name = "b-1";
    spec.directory = node.ctx->directory;
    spec.children.push_back(metrics_endpoint_child(node.ctx));
    auto root = supervision::spawn_supervisor(node.sys, spec);
    self->monitor(root);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                  caf::after(std::chrono::seconds(30)) >> [&] { reason = caf::sec::request_timeout; });
  }
  CAF_CHECK_EQUAL(reason, caf::error{supervision_error::child_start_failed});
  CAF_CHECK(node.sys.render(reason).find("b-1/metrics") != std::string::npos);
  // The other server still owns its port.
  CAF_CHECK_EQUAL(http::fetch("GET", url(so.port, "/metrics")).body, "someone else\n");
}
