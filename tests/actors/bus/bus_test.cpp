// The event bus and the relay in one actor system, no ops store: prefix
// subscriptions, subscribers dropped when they go down, the recent-events
// query, refusal of bad events, and the relay buffering in order while the
// bus is away (also across a bus restart).
#define CAF_SUITE bus

#include <atomic>
#include <mutex>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/test/unit_test.hpp>

#include "actors/bus/event_bus.hpp"
#include "actors/bus/event_check.hpp"
#include "actors/bus/event_relay.hpp"
#include "messages/announce.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using vigil::test::wait_until;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    announce_messages(*this);
  }
};

/// What a subscriber saw, shared with the test thread.
struct inbox {
  std::mutex mtx;
  std::vector<event> events;
  size_t size() {
    std::lock_guard<std::mutex> guard{mtx};
    return events.size();
  }
  std::vector<event> copy() {
    std::lock_guard<std::mutex> guard{mtx};
    return events;
  }
};

caf::behavior collector(caf::event_based_actor* self, std::shared_ptr<inbox> box) {
  return {
    [box](publish_atom, const event& e) {
      std::lock_guard<std::mutex> guard{box->mtx};
      box->events.push_back(e);
    },
    [self](caf::exit_msg&) { self->quit(); },
  };
}

event make_event(std::string topic, std::string summary) {
  event e;
  e.topic = std::move(topic);
  e.summary = std::move(summary);
  e.source = "test";
  return e;
}

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  event_bus_actor bus(size_t ring = 1000) {
    bus::bus_config bc;
    bc.node_id = "control-t";
    bc.ring_size = ring;
    return bus::spawn_event_bus(sys, bc);
  }

  std::vector<event> query(const event_bus_actor& b, int64_t since, std::string prefix,
                           uint32_t limit) {
    std::vector<event> result;
    self->request(b, 5s, events_atom::value, since, prefix, limit)
      .receive([&](std::vector<event>& r) { result = std::move(r); },
               [&](caf::error& e) { CAF_FAIL("events query failed: " << sys.render(e)); });
    return result;
  }

  bus_stats stats(const event_bus_actor& b) {
    bus_stats result;
    self->request(b, 5s, stats_atom::value)
      .receive([&](bus_stats& s) { result = s; },
               [&](caf::error& e) { CAF_FAIL("stats failed: " << sys.render(e)); });
    return result;
  }

  bool subscribe(const event_bus_actor& b, std::string prefix, caf::actor who) {
    bool ok = false;
    self->request(b, 5s, subscribe_atom::value, prefix, who)
      .receive([&](bool r) { ok = r; },
               [&](caf::error& e) { CAF_FAIL("subscribe failed: " << sys.render(e)); });
    return ok;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(bus_tests, fixture)

CAF_TEST(subscribers get the topics under their prefix and nothing else) {
  auto b = bus();
  auto probes = std::make_shared<inbox>();
  auto all = std::make_shared<inbox>();
  auto probe_sub = sys.spawn(collector, probes);
  auto all_sub = sys.spawn(collector, all);
  CAF_CHECK(subscribe(b, "probe.", probe_sub));
  CAF_CHECK(subscribe(b, "", all_sub));
  for (auto topic : {"probe.shopd-http", "chaos", "probe.db", "probes-not-a-child", "sli.shopd"})
    caf::anon_send(b, publish_atom::value, make_event(topic, "x"));
  CAF_REQUIRE(wait_until([&] { return all->size() == 5; }, 10s));
  CAF_REQUIRE(wait_until([&] { return probes->size() == 2; }, 10s));
  auto got = probes->copy();
  CAF_CHECK_EQUAL(got[0].topic, "probe.shopd-http");
  CAF_CHECK_EQUAL(got[1].topic, "probe.db");
  // The bus stamped what the publisher left empty.
  CAF_CHECK(!got[0].id.empty());
  CAF_CHECK(got[0].id != got[1].id);
  CAF_CHECK(got[0].at_unix_ms > 0);
  CAF_CHECK_EQUAL(got[0].severity, "info");
  auto s = stats(b);
  CAF_CHECK_EQUAL(s.published, 5u);
  CAF_CHECK_EQUAL(s.subscribers, 2u);
  CAF_CHECK(!s.store_up);
  anon_send_exit(probe_sub, caf::exit_reason::user_shutdown);
  anon_send_exit(all_sub, caf::exit_reason::user_shutdown);
  anon_send_exit(b, caf::exit_reason::user_shutdown);
}

CAF_TEST(a subscriber that goes down is dropped) {
  auto b = bus();
  auto box = std::make_shared<inbox>();
  auto sub = sys.spawn(collector, box);
  CAF_CHECK(subscribe(b, "", sub));
  CAF_CHECK_EQUAL(stats(b).subscribers, 1u);
  self->send_exit(sub, caf::exit_reason::user_shutdown);
  CAF_CHECK(wait_until([&] { return stats(b).subscribers == 0; }, 10s));
  // Publishing afterwards is fine: nobody left to send to.
  caf::anon_send(b, publish_atom::value, make_event("chaos", "after"));
  CAF_CHECK(wait_until([&] { return stats(b).published == 1; }, 10s));
  CAF_CHECK(!subscribe(b, "", caf::actor{}));
  anon_send_exit(b, caf::exit_reason::user_shutdown);
}

CAF_TEST(events answers the latest matching events oldest first within the limit) {
  auto b = bus(50);
  for (int i = 0; i < 80; ++i)
    caf::anon_send(b, publish_atom::value,
                   make_event(i % 2 == 0 ? "probe.a" : "chaos", std::to_string(i)));
  CAF_REQUIRE(wait_until([&] { return stats(b).published == 80; }, 10s));
  auto probes = query(b, 0, "probe.", 5);
  CAF_REQUIRE_EQUAL(probes.size(), 5u);
  // Ring of 50 holds 30..79; the last five "probe.a" are 70..78.
  CAF_CHECK_EQUAL(probes.front().summary, "70");
  CAF_CHECK_EQUAL(probes.back().summary, "78");
  auto everything = query(b, 0, "", 1000);
  CAF_CHECK_EQUAL(everything.size(), 50u); // no ops store: the ring is all there is
  CAF_CHECK_EQUAL(everything.front().summary, "30");
  auto future = query(b, everything.back().at_unix_ms + 60000, "", 10);
  CAF_CHECK(future.empty());
  anon_send_exit(b, caf::exit_reason::user_shutdown);
}

CAF_TEST(malformed events are refused and change nothing) {
  auto b = bus();
  auto box = std::make_shared<inbox>();
  auto sub = sys.spawn(collector, box);
  CAF_CHECK(subscribe(b, "", sub));
  event no_topic = make_event("", "no topic");
  event bad_topic = make_event("probe x;DROP TABLE events", "spaces and ;");
  event huge = make_event("log.shopd", "huge");
  huge.payload = "{\"x\":\"" + std::string(bus::max_payload_bytes, 'a') + "\"}";
  event bad_severity = make_event("chaos", "severity");
  bad_severity.severity = "apocalyptic";
  for (auto& e : {no_topic, bad_topic, huge, bad_severity})
    caf::anon_send(b, publish_atom::value, e);
  // Accepted, but cleaned: not JSON, invalid UTF-8 and NUL bytes.
  event odd = make_event("log.shopd", std::string{"bad \xff utf8 and a \0 nul", 22});
  odd.payload = "this is not json";
  caf::anon_send(b, publish_atom::value, odd);
  CAF_REQUIRE(wait_until([&] { return box->size() == 1; }, 10s));
  auto s = stats(b);
  CAF_CHECK_EQUAL(s.published, 1u);
  auto got = box->copy()[0];
  CAF_CHECK_EQUAL(got.topic, "log.shopd");
  CAF_CHECK(got.summary.find('\0') == std::string::npos);
  CAF_CHECK(got.summary.find("\xef\xbf\xbd") != std::string::npos); // U+FFFD
  CAF_CHECK_EQUAL(got.payload, R"({"invalid_payload":"this is not json"})");
  anon_send_exit(sub, caf::exit_reason::user_shutdown);
  anon_send_exit(b, caf::exit_reason::user_shutdown);
}

CAF_TEST(the relay buffers while the bus is away and delivers in order) {
  // The test plays the node's name directory: which bus is running now.
  auto current = std::make_shared<std::pair<std::mutex, caf::actor>>();
  auto set_bus = [&](caf::actor b) {
    std::lock_guard<std::mutex> guard{current->first};
    current->second = std::move(b);
  };
  bus::relay_config rc;
  rc.node_id = "node-t";
  rc.started_unix_ms = 1234;
  rc.resolve_every = 20ms;
  rc.buffer_limit = 100;
  rc.local_bus = [current] {
    std::lock_guard<std::mutex> guard{current->first};
    return current->second;
  };
  auto relay = bus::spawn_event_relay(sys, rc);
  auto relay_stats = [&] {
    std::tuple<uint64_t, uint64_t, bool> result{0, 0, false};
    self->request(relay, 5s, stats_atom::value)
      .receive([&](uint64_t buffered, uint64_t dropped, bool connected) {
        result = {buffered, dropped, connected};
      }, [&](caf::error& e) { CAF_FAIL("relay stats: " << sys.render(e)); });
    return result;
  };
  for (int i = 0; i < 30; ++i)
    caf::anon_send(relay, publish_atom::value, make_event("probe.x", std::to_string(i)));
  CAF_REQUIRE(wait_until([&] { return std::get<0>(relay_stats()) == 30; }, 10s));
  // The bus appears: the buffer goes first, then what is published after.
  auto b = bus();
  auto box = std::make_shared<inbox>();
  auto sub = sys.spawn(collector, box);
  CAF_CHECK(subscribe(b, "", sub));
  set_bus(caf::actor_cast<caf::actor>(b));
  for (int i = 30; i < 40; ++i)
    caf::anon_send(relay, publish_atom::value, make_event("probe.x", std::to_string(i)));
  CAF_REQUIRE(wait_until([&] { return box->size() == 40; }, 10s));
  auto got = box->copy();
  for (int i = 0; i < 40; ++i)
    CAF_CHECK_EQUAL(got[static_cast<size_t>(i)].summary, std::to_string(i));
  CAF_CHECK_EQUAL(got[0].id.rfind("node-t@1234:", 0), 0u);
  CAF_CHECK_EQUAL(got[0].source, "test");
  // The bus goes down: the relay notices, buffers, and finds the new one.
  set_bus(caf::actor{});
  self->send_exit(b, caf::exit_reason::kill);
  CAF_REQUIRE(wait_until([&] { return !std::get<2>(relay_stats()); }, 10s));
  // More than the buffer holds: the oldest go, counted.
  for (int i = 40; i < 150; ++i)
    caf::anon_send(relay, publish_atom::value, make_event("probe.x", std::to_string(i)));
  CAF_REQUIRE(wait_until([&] { return std::get<0>(relay_stats()) == 100; }, 10s));
  auto dropped = std::get<1>(relay_stats());
  CAF_CHECK_EQUAL(dropped, 10u);
  auto b2 = bus();
  auto box2 = std::make_shared<inbox>();
  auto sub2 = sys.spawn(collector, box2);
  CAF_CHECK(subscribe(b2, "", sub2));
  set_bus(caf::actor_cast<caf::actor>(b2));
  CAF_REQUIRE(wait_until([&] { return box2->size() == 100; }, 10s));
  auto after = box2->copy();
  for (size_t i = 0; i < after.size(); ++i)
    CAF_CHECK_EQUAL(after[i].summary, std::to_string(50 + i));
  // Ids stay unique across everything the relay stamped.
  std::set<std::string> ids;
  for (auto& e : got)
    ids.insert(e.id);
  for (auto& e : after)
    ids.insert(e.id);
  CAF_CHECK_EQUAL(ids.size(), 140u);
  for (auto& a : {caf::actor_cast<caf::actor>(b2), relay, sub, sub2})
    anon_send_exit(a, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
