// The synthetic traffic against a local shop that fails some requests: the
// published SLI windows add up to exactly what the shop answered, and only
// orders answered 2xx with an id are recorded as acknowledged, in memory and
// in the file, which a restarted traffic actor reads back. Also its config
// and the acknowledged-ids file on their own.
#define CAF_SUITE traffic

#include "actors/probes/traffic.hpp"

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/probes/acked_log.hpp"
#include "config/node_config.hpp"
#include "http/server.hpp"
#include "messages/observability_json.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::probes;
using json = nlohmann::json;

namespace {

/// A shop that answers every third request with 503 (orders then carry an
/// id that must not count), and every seventh order 201 without an id. In
/// hold mode it answers nothing, so the numbers stand still.
class test_shop {
public:
  test_shop() : server_(options()) {
    server_.route("GET", "/products", [this](const http::request&, http::responder r) {
      answer(std::move(r), [](bool fail, uint64_t) {
        return fail ? http::error(503, "busy")
                    : http::response{200, "application/json",
                                     R"({"products": [{"sku": "mug"}, {"sku": "tee"}]})", {}};
      });
    });
    server_.route("GET", "/products/*", [this](const http::request&, http::responder r) {
      answer(std::move(r), [](bool fail, uint64_t) {
        return fail ? http::error(500, "no price")
                    : http::response{200, "application/json", R"({"price_cents": 100})", {}};
      });
    });
    server_.route("POST", "/orders", [this](const http::request& req, http::responder r) {
      bool valid = json::parse(req.body, nullptr, false).is_object();
      answer(std::move(r), [this, valid](bool fail, uint64_t n) {
        auto id = std::to_string(1000 + n);
        if (fail || !valid) {
          refused.insert(id);
          return http::response{503, "application/json", json{{"id", id}}.dump(), {}};
        }
        if (++orders_ok_ % 7 == 0)
          return http::response{201, "application/json", "{}", {}};
        acked.insert(id);
        return http::response{201, "application/json", json{{"id", 1000 + n}}.dump(), {}};
      });
    });
    port = server_.start();
  }

  ~test_shop() { release(); }

  template <class Make>
  void answer(http::responder r, Make make) {
    std::unique_lock<std::mutex> guard{mtx};
    if (hold) {
      held.push_back(std::move(r));
      return;
    }
    auto n = ++answered;
    auto res = make(n % 3 == 0, n);
    if (res.status < 200 || res.status >= 300 || res.body == "{}")
      ++failed;
    guard.unlock();
    r(std::move(res));
  }

  /// Stops holding and answers the held requests with 503.
  void release() {
    std::vector<http::responder> waiting;
    {
      std::lock_guard<std::mutex> guard{mtx};
      hold = false;
      waiting.swap(held);
    }
    for (auto& r : waiting)
      r(http::error(503, "released"));
  }

  std::mutex mtx;
  bool hold = false;
  std::vector<http::responder> held;
  uint64_t answered = 0;
  uint64_t failed = 0;
  std::set<std::string> acked;
  std::set<std::string> refused;
  uint16_t port = 0;

private:
  static http::server::options options() {
    http::server::options o;
    o.threads = 2;
    return o;
  }

  uint64_t orders_ok_ = 0;
  http::server server_;
};

/// What the traffic published, as the node's relay would get it.
struct published {
  std::mutex mtx;
  std::vector<event> events;
};

caf::behavior fake_relay(caf::event_based_actor*, std::shared_ptr<published> out) {
  return {
    [=](publish_atom, const event& e) {
      std::lock_guard<std::mutex> guard{out->mtx};
      out->events.push_back(e);
    },
  };
}

struct fixture {
  test_shop shop; // outlives the actor system: workers may still be asking it
  std::string dir = test::make_temp_dir("vigil-traffic");
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::shared_ptr<supervision::name_directory> directory
    = std::make_shared<supervision::name_directory>();
  std::shared_ptr<published> events = std::make_shared<published>();
  std::vector<traffic_actor> started;

  fixture() { directory->put("t/events", sys.spawn(fake_relay, events)); }

  ~fixture() {
    for (auto& t : started)
      self->send_exit(t, caf::exit_reason::kill);
    // Held workers get their answer and see their parent gone.
    shop.release();
    self->send_exit(directory->get("t/events"), caf::exit_reason::kill);
  }

  traffic_context context() {
    traffic_context ctx;
    ctx.node_id = "t";
    ctx.directory = directory;
    ctx.config.enabled = true;
    ctx.config.base_url = "http://127.0.0.1:" + std::to_string(shop.port);
    ctx.config.rate_per_s = 300;
    ctx.config.order_ratio = 0.5;
    ctx.config.workers = 3;
    ctx.config.window_ms = 100;
    ctx.config.timeout_ms = 120000; // held requests must wait for the test
    ctx.config.acked_file = dir + "/acked.txt";
    return ctx;
  }

  traffic_actor start(traffic_context ctx) {
    auto t = spawn_traffic(sys, std::move(ctx));
    started.push_back(t);
    return t;
  }

  template <class T, class... Ts>
  T ask(const traffic_actor& t, Ts... xs) {
    T result;
    self->request(t, 10s, xs...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& e) { CAF_FAIL("request failed: " << sys.render(e)); });
    return result;
  }

  uint64_t answered() {
    std::lock_guard<std::mutex> guard{shop.mtx};
    return shop.answered;
  }

  /// Sums of requests and failures over the published windows.
  std::pair<uint64_t, uint64_t> published_totals() {
    std::lock_guard<std::mutex> guard{events->mtx};
    uint64_t requests = 0;
    uint64_t failures = 0;
    for (auto& e : events->events) {
      auto s = sli_snapshot_from_json(json::parse(e.payload));
      requests += s.requests;
      failures += s.failures;
    }
    return {requests, failures};
  }
};

std::set<std::string> lines_of(const std::string& path) {
  std::set<std::string> result;
  std::ifstream in{path};
  for (std::string line; std::getline(in, line);)
    result.insert(line);
  return result;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(traffic_tests, fixture)

CAF_TEST(slis add up to what the shop answered and only 2xx orders with ids are acked) {
  auto traffic = start(context());
  CAF_REQUIRE(test::wait_until([&] { return answered() >= 150; }, 60s));
  {
    std::lock_guard<std::mutex> guard{shop.mtx};
    shop.hold = true;
  }
  // Once every worker waits on a held request, each answer the shop gave
  // has reached the traffic actor.
  CAF_REQUIRE(test::wait_until(
    [&] {
      std::lock_guard<std::mutex> guard{shop.mtx};
      return shop.held.size() == 3;
    },
    60s));
  uint64_t answered_total = 0;
  uint64_t failed_total = 0;
  {
    std::lock_guard<std::mutex> guard{shop.mtx};
    answered_total = shop.answered;
    failed_total = shop.failed;
  }
  CAF_REQUIRE(test::wait_until([&] { return published_totals().first == answered_total; }, 60s));
  auto [requests, failures] = published_totals();
  CAF_CHECK_EQUAL(requests, answered_total);
  CAF_CHECK_EQUAL(failures, failed_total);
  CAF_CHECK_GREATER(failures, 0u);
  {
    std::lock_guard<std::mutex> guard{events->mtx};
    for (auto& e : events->events) {
      CAF_CHECK_EQUAL(e.topic, "sli.shopd");
      CAF_CHECK_EQUAL(e.source, "t/probe/traffic");
      auto s = sli_snapshot_from_json(json::parse(e.payload));
      CAF_CHECK_EQUAL(s.service, "shopd");
      if (s.requests > 0) {
        CAF_CHECK_EQUAL(s.success_ratio,
                        static_cast<double>(s.requests - s.failures) / s.requests);
        CAF_CHECK_LESS_OR_EQUAL(s.p50_ms, s.p95_ms);
        CAF_CHECK_LESS_OR_EQUAL(s.p95_ms, s.p99_ms);
      }
    }
  }
  auto latest = ask<std::vector<sli_snapshot>>(traffic, sli_atom::value);
  CAF_REQUIRE_EQUAL(latest.size(), 1u);
  CAF_CHECK_EQUAL(latest[0].service, "shopd");
  auto acked = ask<std::vector<std::string>>(traffic, acked_atom::value);
  std::set<std::string> acked_set(acked.begin(), acked.end());
  CAF_CHECK_EQUAL(acked.size(), acked_set.size()); // no duplicates
  CAF_CHECK(!acked.empty());
  CAF_CHECK(acked_set == shop.acked);
  for (auto& id : shop.refused)
    CAF_CHECK(acked_set.count(id) == 0);
  CAF_CHECK(lines_of(dir + "/acked.txt") == shop.acked);
  // A new traffic actor (after a restart) knows every one from the file.
  self->send_exit(traffic, caf::exit_reason::kill);
  self->wait_for(traffic);
  auto again = start(context());
  auto remembered = ask<std::vector<std::string>>(again, acked_atom::value);
  CAF_CHECK(std::set<std::string>(remembered.begin(), remembered.end()) == shop.acked);
}

CAF_TEST(a shop that does not answer never blocks the traffic actor) {
  {
    std::lock_guard<std::mutex> guard{shop.mtx};
    shop.hold = true;
  }
  auto ctx = context();
  ctx.config.timeout_ms = 200;
  ctx.config.acked_file.clear();
  auto traffic = start(ctx);
  CAF_REQUIRE(test::wait_until(
    [&] {
      std::lock_guard<std::mutex> guard{shop.mtx};
      return shop.held.size() >= 3;
    },
    60s));
  // Workers wait on the shop; the actor still answers at once.
  CAF_CHECK(ask<std::vector<std::string>>(traffic, acked_atom::value).empty());
  // Timeouts count as failures.
  sli_snapshot seen;
  CAF_REQUIRE(test::wait_until(
    [&] {
      auto latest = ask<std::vector<sli_snapshot>>(traffic, sli_atom::value);
      if (latest.empty() || latest[0].requests == 0)
        return false;
      seen = latest[0];
      return true;
    },
    60s));
  CAF_CHECK_EQUAL(seen.failures, seen.requests);
  CAF_CHECK_EQUAL(seen.success_ratio, 0.0);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(the acked file is read back line by line) {
  auto dir = test::make_temp_dir("vigil-acked");
  auto path = dir + "/sub/acked.txt";
  acked_log::append(path, "1");
  acked_log::append(path, "2");
  acked_log log{path};
  CAF_CHECK_EQUAL(log.catch_up(), 2u);
  CAF_CHECK_EQUAL(log.ids(), (std::vector<std::string>{"1", "2"}));
  // A line still being written waits; junk is skipped; repeats count once.
  {
    std::ofstream out{path, std::ios::app};
    out << "not an id!\n2\n3\n4";
  }
  CAF_CHECK_EQUAL(log.catch_up(), 1u);
  CAF_CHECK_EQUAL(log.skipped_lines(), 1u);
  {
    std::ofstream out{path, std::ios::app};
    out << "\n";
  }
  CAF_CHECK_EQUAL(log.catch_up(), 1u);
  CAF_CHECK_EQUAL(log.ids(), (std::vector<std::string>{"1", "2", "3", "4"}));
  CAF_CHECK(log.add("5"));
  CAF_CHECK(!log.add("5"));
  acked_log missing{dir + "/none.txt"};
  CAF_CHECK_EQUAL(missing.catch_up(), 0u);
  CAF_CHECK(valid_order_id("42"));
  CAF_CHECK(!valid_order_id(""));
  CAF_CHECK(!valid_order_id("4 2"));
}

CAF_TEST(traffic config is read from the probes file) {
  auto off = parse_traffic_config(R"({"probes": []})", "/etc/vigil/probes.json");
  CAF_CHECK(!off.enabled);
  auto on = parse_traffic_config(R"({
      // comments are fine
      "probes": [],
      "traffic": {"base_url": "http://127.0.0.1:8080/", "rate_per_s": 2.5,
                  "order_ratio": 0.2, "workers": 2, "window_ms": 1000,
                  "timeout_ms": 500, "acked_file": "../var/acked.txt", "service": "shop"}
    })",
                                 "/etc/vigil/probes.json");
  CAF_CHECK(on.enabled);
  CAF_CHECK_EQUAL(on.base_url, "http://127.0.0.1:8080");
  CAF_CHECK_EQUAL(on.rate_per_s, 2.5);
  CAF_CHECK_EQUAL(on.order_ratio, 0.2);
  CAF_CHECK_EQUAL(on.workers, 2u);
  CAF_CHECK_EQUAL(on.window_ms, 1000u);
  CAF_CHECK_EQUAL(on.timeout_ms, 500u);
  CAF_CHECK_EQUAL(on.acked_file, "/etc/var/acked.txt");
  CAF_CHECK_EQUAL(on.service, "shop");
  auto disabled = parse_traffic_config(R"({"traffic": {"enabled": false}})", "p.json");
  CAF_CHECK(!disabled.enabled);
}

CAF_TEST(bad traffic config names the file and the field) {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      parse_traffic_config(text, "probes.json");
    } catch (const config_error& e) {
      return e.what();
    }
    return "";
  };
  CAF_CHECK_EQUAL(error_of(R"({"traffic": {"rate_per_s": 0}})"),
                  "probes.json: field 'traffic.rate_per_s': expected a number in 0.1..1000.0, "
                  "got 0");
  CAF_CHECK_EQUAL(error_of(R"({"traffic": {"order_ratio": "half"}})").rfind(
                    "probes.json: field 'traffic.order_ratio': ", 0),
                  0u);
  CAF_CHECK_EQUAL(error_of(R"({"traffic": {"base_url": "ftp://x"}})").rfind(
                    "probes.json: field 'traffic.base_url': ", 0),
                  0u);
  CAF_CHECK_EQUAL(error_of(R"({"traffic": {"rate": 3}})").rfind(
                    "probes.json: field 'traffic.rate': unknown field", 0),
                  0u);
  CAF_CHECK_EQUAL(error_of(R"({"traffic": {"workers": 0}})").rfind(
                    "probes.json: field 'traffic.workers': ", 0),
                  0u);
  CAF_CHECK_EQUAL(error_of(R"({"traffic": []})").rfind("probes.json: field 'traffic': ", 0), 0u);
  CAF_CHECK_EQUAL(error_of("{nope").rfind("probes.json: not valid JSON", 0), 0u);
  CAF_CHECK_EQUAL(error_of(R"({"traffic": {"enabled": false}})"), "");
}

CAF_TEST(the demo runs the traffic at a modest rate) {
  auto demo = load_traffic_config(std::string{VIGIL_SOURCE_DIR} + "/config/demo/probes.json");
  CAF_CHECK(demo.enabled);
  CAF_CHECK_EQUAL(demo.base_url, "http://127.0.0.1:8080");
  CAF_CHECK_LESS_OR_EQUAL(demo.rate_per_s, 50.0);
  CAF_CHECK_EQUAL(demo.acked_file,
                  std::string{VIGIL_SOURCE_DIR} + "/var/demo/traffic-acked.txt");
}
