// Events per second into the ops store: Vigil's writer (cleaning, batching
// thread, ON CONFLICT) against a plain libpqxx multi-row INSERT loop of the
// same rows into the same table, in the same run on the same private
// Postgres; then the writer replaying the same number of events from its
// spool after an outage.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include "actors/store/event_writer.hpp"
#include "actors/store/migrate.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using vigil::event;

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<event> make_events(size_t n, const std::string& run) {
  std::vector<event> result;
  result.reserve(n);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  for (size_t i = 0; i < n; ++i) {
    event e;
    e.id = "bench-" + run + ":" + std::to_string(i);
    e.topic = "probe.shopd-http";
    e.source = "action-1/probe/manager";
    e.at_unix_ms = now;
    e.severity = "info";
    e.summary = "HTTP 200 from /readyz in 3 ms";
    e.payload = R"({"probe":"shopd-http","status":"ok","latency_ms":3.1,"n":)"
                + std::to_string(i) + "}";
    result.push_back(std::move(e));
  }
  return result;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// The baseline: what a hand-written loop would do, nothing more.
double plain_inserts(const std::string& dsn, const std::vector<event>& events, size_t batch) {
  pqxx::connection conn{dsn};
  auto start = clock_type::now();
  for (size_t from = 0; from < events.size(); from += batch) {
    pqxx::work tx{conn};
    std::string sql = "INSERT INTO events (id, topic, source, at, severity, summary, payload)"
                      " VALUES ";
    for (size_t i = from; i < std::min(events.size(), from + batch); ++i) {
      auto& e = events[i];
      sql += (i == from ? "(" : ",(") + tx.quote(e.id) + "," + tx.quote(e.topic) + ","
             + tx.quote(e.source) + ",to_timestamp(" + std::to_string(e.at_unix_ms)
             + "::double precision / 1000)," + tx.quote(e.severity) + "," + tx.quote(e.summary)
             + "," + tx.quote(e.payload) + "::jsonb)";
    }
    tx.exec(sql);
    tx.commit();
  }
  return seconds_since(start);
}

double through_writer(vigil::store::writer_config wc, const std::vector<event>& events) {
  vigil::store::event_writer writer{wc};
  // Connected first, so the run measures writing, not connecting.
  vigil::test::wait_until([&] { return writer.stats().store_up; }, 60s);
  auto start = clock_type::now();
  for (auto& e : events)
    writer.write(e);
  if (!vigil::test::wait_until([&] { return writer.stats().written == events.size(); }, 600s))
    throw std::runtime_error("the writer did not finish");
  return seconds_since(start);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Events per second into the ops store: the writer vs a plain INSERT loop"};
  size_t n = 50000;
  size_t batch = 500;
  app.add_option("--events", n, "Events per run");
  app.add_option("--batch", batch, "Rows per INSERT, for both");
  CLI11_PARSE(app, argc, argv);
  try {
    vigil::test::test_postgres pg{"vigil"};
    auto dsn = "host=127.0.0.1 port=" + std::to_string(pg.port())
               + " dbname=vigil user=vigil password=" + pg.app_password();
    vigil::store::migrate(dsn);
    vigil::store::writer_config wc;
    wc.dsn = dsn;
    wc.spool_dir = vigil::test::make_temp_dir("vigil-bench-spool");
    wc.batch_size = batch;

    auto baseline = plain_inserts(dsn, make_events(n, "plain"), batch);
    pg.psql("TRUNCATE events");
    auto writer = through_writer(wc, make_events(n, "writer"));
    pg.psql("TRUNCATE events");

    // Spool replay: everything written while the store is down, then timed
    // from the restart until the last event is in.
    double replay = 0;
    {
      pg.stop("fast");
      vigil::store::event_writer w{wc};
      auto events = make_events(n, "spool");
      for (auto& e : events)
        w.write(e);
      vigil::test::wait_until([&] { return w.stats().spooled == n; }, 600s);
      pg.start();
      auto start = clock_type::now();
      if (!vigil::test::wait_until([&] { return w.stats().written == n; }, 600s))
        throw std::runtime_error("the spool replay did not finish");
      replay = seconds_since(start);
    }

    auto rate = [n](double s) { return static_cast<double>(n) / s; };
    std::printf("ops store, %zu events of ~%zu bytes, %zu rows per INSERT\n", n,
                make_events(1, "x")[0].payload.size() + 120, batch);
    std::printf("  plain libpqxx INSERT loop (baseline)  %9.0f events/s\n", rate(baseline));
    std::printf("  writer (queue, thread, ON CONFLICT)   %9.0f events/s   %.2fx baseline\n",
                rate(writer), rate(writer) / rate(baseline));
    std::printf("  writer replaying its spool            %9.0f events/s   %.2fx baseline"
                " (from the store's restart; includes reconnect)\n",
                rate(replay), rate(replay) / rate(baseline));
  } catch (const std::exception& e) {
    std::cerr << "ops_store_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
