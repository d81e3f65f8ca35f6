// The ops store writer against a real private Postgres: batching, a real
// 30-second outage of the store with a writer restart in the middle of it
// (every event present exactly once, in publish order), retention, bad rows,
// samples, and the bus reading events older than its ring from the store.
#define CAF_SUITE writer

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/test/unit_test.hpp>

#include "actors/bus/event_bus.hpp"
#include "actors/store/event_query.hpp"
#include "actors/store/event_writer.hpp"
#include "actors/store/migrate.hpp"
#include "messages/announce.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::test;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct fixture {
  test_postgres pg{"vigil"};
  std::string spool_dir = make_temp_dir("vigil-spool");
  uint64_t next = 0;

  std::string dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(pg.port())
           + " dbname=vigil user=vigil connect_timeout=2 password=" + pg.app_password();
  }

  store::writer_config writer_config() const {
    store::writer_config wc;
    wc.dsn = dsn();
    wc.spool_dir = spool_dir;
    wc.batch_size = 200;
    wc.flush_every = 20ms;
    wc.retry_every = 200ms;
    return wc;
  }

  /// Event number `next`: its summary is its number, for order checks.
  event numbered() {
    event e;
    e.id = "test@1:" + std::to_string(next);
    e.topic = "test.outage";
    e.source = "writer_test";
    e.at_unix_ms = now_ms();
    e.severity = "info";
    e.summary = std::to_string(next++);
    e.payload = R"({"n":)" + e.summary + "}";
    return e;
  }

  uint64_t count(const std::string& where = "true") {
    return std::stoull(pg.query_value("SELECT count(*) FROM events WHERE " + where));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(writer_tests, fixture)

CAF_TEST(migrate is idempotent and records each file once) {
  auto first = store::migrate(dsn());
  CAF_CHECK(!first.applied.empty());
  auto second = store::migrate(dsn());
  CAF_CHECK(second.applied.empty());
  CAF_CHECK_EQUAL(second.already_applied, first.applied.size());
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM schema_migrations"),
                  std::to_string(first.applied.size()));
  std::string failure;
  try {
    store::migrate("host=127.0.0.1 port=1 connect_timeout=1");
  } catch (const std::runtime_error& e) {
    failure = e.what();
  }
  CAF_CHECK(failure.find("ops store migrations") != std::string::npos);
}

CAF_TEST(a 30 s outage of the store and a writer restart lose nothing and write nothing twice) {
  auto writer = std::make_unique<store::event_writer>(writer_config());
  for (int i = 0; i < 500; ++i)
    writer->write(numbered());
  CAF_REQUIRE(wait_until([&] { return writer->stats().written == 500; }, 60s));
  CAF_CHECK(writer->stats().store_up);

  pg.stop("fast");
  auto outage_start = std::chrono::steady_clock::now();
  auto publish_until = [&](std::chrono::seconds elapsed) {
    // Publishes a few events at every poll until `elapsed` into the outage.
    return wait_until(
      [&] {
        for (int i = 0; i < 5; ++i)
          writer->write(numbered());
        return std::chrono::steady_clock::now() - outage_start >= elapsed;
      },
      elapsed + 30s);
  };
  CAF_REQUIRE(publish_until(15s));
  CAF_CHECK(!writer->stats().store_up);
  CAF_CHECK(!writer->stats().store_error.empty());
  CAF_REQUIRE(wait_until([&] { return writer->stats().spooled > 0; }, 10s));
  // The writer restarts in the middle of the outage: its queue goes to the
  // spool, and the new writer finds the spool where the old one left it.
  writer.reset();
  writer = std::make_unique<store::event_writer>(writer_config());
  CAF_CHECK(writer->stats().spooled > 0);
  CAF_REQUIRE(publish_until(30s));
  auto spooled = writer->stats().spooled;
  CAF_MESSAGE("spooled during the outage: " << spooled << " of " << next << " events");
  CAF_CHECK(spooled > 0);

  pg.start();
  for (int i = 0; i < 100; ++i)
    writer->write(numbered());
  CAF_REQUIRE(wait_until([&] { return count() == next; }, 120s));
  CAF_REQUIRE(wait_until([&] { return writer->stats().spooled == 0; }, 30s));
  CAF_CHECK(writer->stats().store_up);
  CAF_CHECK_EQUAL(count(), next);
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(DISTINCT id) FROM events"), std::to_string(next));
  // Stored in publish order: the numbers rise with seq, with no gap.
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM (SELECT summary::bigint AS n,"
                                 " row_number() OVER (ORDER BY seq) - 1 AS pos FROM events) t"
                                 " WHERE n <> pos"),
                  "0");
  CAF_CHECK_EQUAL(writer->stats().rejected, 0u);
}

CAF_TEST(retention deletes old events and samples and keeps new ones) {
  auto wc = writer_config();
  wc.retain_events = 24h;
  wc.retain_samples = 2h;
  store::event_writer writer{wc};
  // The first run comes right after connecting; the rows must come after it.
  CAF_REQUIRE(wait_until([&] { return writer.retention_runs() == 1; }, 60s));
  auto old_event = numbered();
  old_event.at_unix_ms = now_ms() - 25 * 3600 * 1000LL;
  writer.write(old_event);
  auto recent = numbered();
  writer.write(recent);
  event samples;
  samples.id = "test@1:samples";
  samples.topic = "sample.shopd";
  samples.at_unix_ms = now_ms();
  samples.severity = "info";
  auto old_ms = std::to_string(now_ms() - 3 * 3600 * 1000LL);
  samples.payload = R"({"service":"shopd","samples":[)"
                    R"({"series":"shopd_up","value":1,"at":)" + old_ms + "},"
                    R"({"series":"shopd_up","value":0.5},)"
                    R"({"series":"no_value"},{"value":3},"junk"]})";
  writer.write(samples);
  CAF_REQUIRE(wait_until([&] { return writer.stats().written == 3; }, 60s));
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM metric_samples"), "2");
  CAF_CHECK_EQUAL(count(), 3u);
  auto runs = writer.retention_runs();
  writer.retain_now();
  CAF_REQUIRE(wait_until([&] { return writer.retention_runs() > runs; }, 30s));
  CAF_CHECK_EQUAL(count(), 2u);
  CAF_CHECK_EQUAL(count("id = '" + old_event.id + "'"), 0u);
  CAF_CHECK_EQUAL(count("id = '" + recent.id + "'"), 1u);
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM metric_samples"), "1");
  CAF_CHECK_EQUAL(pg.query_value("SELECT value FROM metric_samples"), "0.5");
}

CAF_TEST(bad rows are stored safely or refused alone without stopping the writer) {
  store::event_writer writer{writer_config()};
  auto not_json = numbered();
  not_json.payload = "{not json";
  auto nul = numbered();
  nul.summary = std::string{"a\0b", 3};
  nul.payload = R"({"k":"x\u0000y","\u0000":1})";
  auto bad_utf8 = numbered();
  bad_utf8.source = "\xc3\x28";
  auto huge = numbered();
  huge.payload = R"({"blob":")" + std::string(2 << 20, 'z') + "\"}";
  auto out_of_range = numbered();
  out_of_range.id = "test@1:out-of-range";
  out_of_range.at_unix_ms = 9'000'000'000'000'000'000LL; // beyond Postgres' timestamps
  auto quote = numbered();
  quote.summary = "it's '; DROP TABLE events; --";
  for (auto* e : {&not_json, &nul, &bad_utf8, &huge, &out_of_range, &quote})
    writer.write(*e);
  CAF_REQUIRE(wait_until([&] { return writer.stats().written + writer.stats().rejected == 6; },
                         60s));
  CAF_CHECK_EQUAL(writer.stats().written, 5u);
  CAF_CHECK_EQUAL(writer.stats().rejected, 1u);
  CAF_CHECK_EQUAL(count("id = 'test@1:out-of-range'"), 0u);
  CAF_CHECK_EQUAL(pg.query_value("SELECT payload->>'invalid_payload' FROM events WHERE id = '"
                                 + not_json.id + "'"),
                  "{not json");
  CAF_CHECK_EQUAL(pg.query_value("SELECT summary FROM events WHERE id = '" + nul.id + "'"), "ab");
  CAF_CHECK_EQUAL(pg.query_value("SELECT summary FROM events WHERE id = '" + quote.id + "'"),
                  quote.summary);
  CAF_CHECK_EQUAL(pg.query_value("SELECT length(payload->>'blob') FROM events WHERE id = '"
                                 + huge.id + "'"),
                  std::to_string(2 << 20));
  // Still writing after all that.
  writer.write(numbered());
  CAF_CHECK(wait_until([&] { return writer.stats().written == 6; }, 30s));
}

CAF_TEST(the bus writes through its writer and reads older events from the store) {
  struct config : caf::actor_system_config {
    config() { announce_messages(*this); }
  } cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  bus::bus_config bc;
  bc.node_id = "control-t";
  bc.ops_store.dsn = dsn();
  bc.ops_store.spool_dir = spool_dir;
  bc.ring_size = 10;
  auto b = bus::spawn_event_bus(sys, bc);
  auto since = now_ms() - 1000;
  for (int i = 0; i < 40; ++i)
    caf::anon_send(b, publish_atom::value, numbered());
  auto stats = [&] {
    bus_stats result;
    self->request(b, 5s, stats_atom::value).receive([&](bus_stats& s) { result = s; },
                                                    [&](caf::error&) {});
    return result;
  };
  CAF_REQUIRE(wait_until([&] { return stats().written == 40; }, 60s));
  CAF_CHECK(stats().store_up);
  std::vector<event> got;
  self->request(b, 10s, events_atom::value, since, std::string{"test."}, uint32_t{25})
    .receive([&](std::vector<event>& r) { got = std::move(r); },
             [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  CAF_REQUIRE_EQUAL(got.size(), 25u);
  CAF_CHECK_EQUAL(got.front().summary, "15");
  CAF_CHECK_EQUAL(got.back().summary, "39");
  CAF_CHECK_EQUAL(got.front().payload, R"({"n": 15})"); // as jsonb prints it
  // query_events on its own, with LIKE wildcards in the prefix taken literally.
  CAF_CHECK(store::query_events(dsn(), 0, "test%", 10).empty());
  CAF_CHECK_EQUAL(store::query_events(dsn(), 0, "test.out", 1000).size(), 40u);
  anon_send_exit(b, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
