// The status board on CAF's test scheduler: it follows the bus (again after
// the bus restarts), turns probe results and SLI windows into per-service
// health with hysteresis, publishes "service.<name>" on changes, and ignores
// bad events.
#define CAF_SUITE status_board

#include "actors/status/status_board.hpp"

#include <caf/test/dsl.hpp>
#include <nlohmann/json.hpp>

#include "messages/observability_json.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::status;
using json = nlohmann::json;

namespace {

/// What a bus saw: subscriptions (topic prefixes) and published events.
struct bus_log {
  std::vector<std::string> subscriptions;
  std::vector<event> published;
};

caf::behavior fake_bus(caf::event_based_actor*, std::shared_ptr<bus_log> log) {
  return {
    [=](subscribe_atom, const std::string& prefix, const caf::actor&) {
      log->subscriptions.push_back(prefix);
      return true;
    },
    [=](publish_atom, const event& e) { log->published.push_back(e); },
  };
}

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<supervision::name_directory> directory
    = std::make_shared<supervision::name_directory>();
  std::shared_ptr<int64_t> now = std::make_shared<int64_t>(1000);
  std::shared_ptr<bus_log> log = std::make_shared<bus_log>();
  caf::actor bus;
  caf::actor board;

  fixture() {
    bus = sys.spawn(fake_bus, log);
    directory->put("ctl/control/bus", bus);
    status_board_context ctx;
    ctx.node_id = "ctl";
    ctx.directory = directory;
    ctx.settings.degrade_after = 2;
    ctx.settings.recover_after = 3;
    ctx.settings.stale_after_ms = 60000;
    ctx.now_unix_ms = [t = now] { return *t; };
    ctx.check_every = 1s;
    board = caf::actor_cast<caf::actor>(spawn_status_board(sys, ctx));
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(board, caf::exit_reason::kill);
    caf::anon_send_exit(bus, caf::exit_reason::kill);
    sched.run();
  }

  void publish(const std::string& topic, const std::string& payload) {
    event e;
    e.topic = topic;
    e.payload = payload;
    self->send(board, publish_atom::value, e);
    sched.run();
  }

  void probe(const std::string& name, const std::string& target, const std::string& status) {
    probe_result r;
    r.probe = name;
    r.kind = "http";
    r.target = target;
    r.status = status;
    r.detail = "saw " + status;
    publish("probe." + name, to_json(r).dump());
  }

  std::vector<service_health> status() {
    self->send(board, status_atom::value);
    sched.run();
    std::vector<service_health> result;
    self->receive([&](std::vector<service_health>& xs) { result = std::move(xs); },
                  [&](caf::error& e) { CAF_FAIL("status failed: " << sys.render(e)); });
    return result;
  }

  std::string health(const std::string& service) {
    for (auto& h : status())
      if (h.service == service)
        return h.health;
    return "absent";
  }

  /// Topics and health of the "service.*" events the board published.
  std::vector<std::string> service_events() {
    std::vector<std::string> result;
    for (auto& e : log->published)
      result.push_back(e.topic + "=" + json::parse(e.payload).value("health", "?"));
    return result;
  }
};

using strings = std::vector<std::string>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(status_board_tests, fixture)

CAF_TEST(it subscribes to probe results and sli windows) {
  CAF_CHECK_EQUAL(log->subscriptions, (strings{"probe.", "sli."}));
  CAF_CHECK(status().empty());
}

CAF_TEST(health follows probes with hysteresis and changes are published) {
  probe("shopd-http", "shopd", "ok");
  CAF_CHECK_EQUAL(health("shopd"), "ok");
  probe("shopd-http", "shopd", "down");
  CAF_CHECK_EQUAL(health("shopd"), "down");
  *now = 5000;
  probe("shopd-http", "shopd", "ok");
  probe("shopd-http", "shopd", "ok");
  CAF_CHECK_EQUAL(health("shopd"), "down");
  probe("shopd-http", "shopd", "ok");
  auto all = status();
  CAF_REQUIRE_EQUAL(all.size(), 1u);
  CAF_CHECK_EQUAL(all[0].health, "ok");
  CAF_CHECK_EQUAL(all[0].since_unix_ms, 5000);
  CAF_CHECK_EQUAL(service_events(),
                  (strings{"service.shopd=ok", "service.shopd=down", "service.shopd=ok"}));
  auto down = json::parse(log->published[1].payload);
  CAF_CHECK_EQUAL(down.value("previous", ""), "ok");
  CAF_CHECK_EQUAL(down.value("reason", ""), "shopd-http: saw down");
  CAF_CHECK_EQUAL(log->published[1].severity, "error");
  CAF_CHECK_EQUAL(log->published[1].source, "ctl/control/status");
  // One degraded blip changes nothing and publishes nothing.
  probe("shopd-http", "shopd", "degraded");
  probe("shopd-http", "shopd", "ok");
  CAF_CHECK_EQUAL(health("shopd"), "ok");
  CAF_CHECK_EQUAL(log->published.size(), 3u);
}

CAF_TEST(sli windows show in the status and judge the service) {
  probe("shopd-http", "shopd", "ok");
  sli_snapshot s;
  s.service = "shopd";
  s.requests = 50;
  s.failures = 40;
  s.success_ratio = 0.2;
  s.p50_ms = 3;
  s.p95_ms = 9;
  s.p99_ms = 12;
  publish("sli.shopd", to_json(s).dump());
  auto all = status();
  CAF_REQUIRE_EQUAL(all.size(), 1u);
  CAF_CHECK_EQUAL(all[0].health, "down");
  CAF_CHECK_EQUAL(all[0].sli, s);
  CAF_CHECK_EQUAL(all[0].failing, strings{"traffic"});
}

CAF_TEST(bad events change nothing and the board lives on) {
  probe("shopd-http", "shopd", "ok");
  publish("probe.shopd-http", "not json");
  publish("probe.shopd-http", R"({"probe": "shopd-http", "target": "shopd", "status": "on fire"})");
  publish("probe.shopd-http", R"({"probe": "shopd-http", "target": 7, "status": "down"})");
  publish("sli.shopd", R"([1, 2])");
  publish("probe.x", R"({"probe": "x", "status": "down"})");
  auto all = status();
  CAF_REQUIRE_EQUAL(all.size(), 1u);
  CAF_CHECK_EQUAL(all[0].health, "ok");
}

CAF_TEST(a restarted bus is followed again) {
  caf::anon_send_exit(bus, caf::exit_reason::kill);
  sched.run();
  auto old_log = log;
  log = std::make_shared<bus_log>();
  bus = sys.spawn(fake_bus, log);
  directory->put("ctl/control/bus", bus);
  sched.run();
  CAF_CHECK(log->subscriptions.empty()); // not before the next check
  sched.advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(log->subscriptions, (strings{"probe.", "sli."}));
  CAF_CHECK_EQUAL(old_log->subscriptions.size(), 2u);
  // And it publishes its changes to the new bus.
  probe("shopd-http", "shopd", "down");
  CAF_CHECK_EQUAL(service_events(), strings{"service.shopd=down"});
}

CAF_TEST(silent probes expire at a check) {
  probe("shopd-http", "shopd", "down");
  *now += 60001;
  sched.advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(health("shopd"), "unknown");
  CAF_CHECK_EQUAL(service_events(), (strings{"service.shopd=down", "service.shopd=unknown"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
