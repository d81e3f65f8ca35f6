// postgres and data probes against a private Postgres cluster: a healthy
// server, a wrong password (and the auth failure in the server log), a held
// table lock, a failing check, vanished rows, a stopped server, and API
// prices that disagree with the database's.
#define CAF_SUITE postgres_probes

#include <cerrno>
#include <fstream>
#include <thread>

#include <caf/test/unit_test.hpp>
#include <pqxx/pqxx>

#include "actors/probes/probe.hpp"
#include "http/server.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::probes;

namespace {

probe_result run(probe& p) {
  probe_result r;
  p.check(r);
  if (r.status.empty())
    r.status = "ok";
  return r;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct pg_fixture {
  test::test_postgres pg;
  std::string dir = test::make_temp_dir("vigil-probe-pg");
  std::string password_file = dir + "/password";

  pg_fixture() {
    test::write_file(password_file, pg.app_password() + "\n");
    pg.psql("CREATE TABLE orders (id bigserial PRIMARY KEY, quantity int NOT NULL);"
            "INSERT INTO orders (quantity) SELECT 1 FROM generate_series(1, 10);"
            "CREATE TABLE products (sku text PRIMARY KEY, price_cents int NOT NULL);"
            "INSERT INTO products VALUES ('mug', 1200), ('tee', 2400);"
            "ALTER TABLE orders OWNER TO shop; ALTER TABLE products OWNER TO shop;");
  }

  probe_config config() {
    probe_config c;
    c.name = "db";
    c.kind = "postgres";
    c.interval_ms = 250;
    c.timeout_ms = 1000;
    c.lock_timeout_ms = 150;
    c.db_host = "127.0.0.1";
    c.db_port = pg.port();
    c.dbname = pg.app_database();
    c.user = pg.app_user();
    c.password_file = password_file;
    c.server_log = pg.log_path();
    c.window_ms = 60000;
    c.checks = {{"orders_columns", "SELECT id, quantity FROM orders LIMIT 0", "", 0, "", 1000},
                {"orders", "SELECT count(*) FROM orders", "", 20, "", 1000}};
    return c;
  }

  /// A probe whose one check counts the ids of `ledger` (orders 1..10,
  /// written now) missing from orders, the newest 4 and 4 older ones a time.
  probe_config acked_config(const std::string& ledger) {
    std::string ids;
    for (int i = 1; i <= 10; ++i)
      ids += std::to_string(i) + "\n";
    test::write_file(ledger, ids);
    auto cfg = config();
    cfg.checks = {{"acked_missing",
                   "SELECT count(*) FROM unnest($acked) AS a(id)"
                   " WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.id::bigint)",
                   "", 0, ledger, 4}};
    return cfg;
  }

  std::string superuser_dsn() {
    return "host=" + pg.dir() + " port=" + std::to_string(pg.port()) + " dbname="
           + pg.app_database() + " user=postgres";
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(postgres_probe_tests, pg_fixture)

CAF_TEST(a healthy server is ok and reports its activity) {
  auto p = make_probe(config());
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK(r.values["max_connections"] > 0);
  CAF_CHECK(r.values["connections"] >= 1);
  CAF_CHECK_EQUAL(r.values["orders"], 10);
  CAF_CHECK_EQUAL(r.values["waiting_locks"], 0);
}

CAF_TEST(a wrong password is down and shows as auth failures in the log) {
  auto p = make_probe(config());
  CAF_CHECK_EQUAL(run(*p).status, "ok");
  pg.set_app_password("something-else");
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "password authentication failed"));
  CAF_CHECK_EQUAL(r.values["sqlstate_28P01"], 1); // invalid_password, as a code
  // The server writes its log line a moment after refusing.
  CAF_CHECK(test::wait_until([&] { return run(*p).values["auth_failures_recent"] >= 1; }, 5s));
}

CAF_TEST(a held table lock is degraded within the lock timeout) {
  auto p = make_probe(config());
  pqxx::connection holder{superuser_dsn()};
  pqxx::work tx{holder};
  tx.exec("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(*p);
  CAF_CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CAF_CHECK_EQUAL(r.status, "degraded");
  CAF_CHECK(has(r.detail, "ACCESS EXCLUSIVE lock held on orders"));
  CAF_CHECK(has(r.detail, "lock timeout"));
  CAF_CHECK(r.values["sqlstate_55P03"] >= 1); // lock_not_available
  tx.abort();
  CAF_CHECK_EQUAL(run(*p).status, "ok");
}

CAF_TEST(a renamed column and vanished rows are down) {
  auto p = make_probe(config());
  CAF_CHECK_EQUAL(run(*p).status, "ok");
  pg.psql("DELETE FROM orders WHERE id > 2");
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "orders fell from 10 to 2"));
  CAF_CHECK_EQUAL(r.values["checks_dropped"], 1);
  pg.psql("ALTER TABLE orders RENAME COLUMN quantity TO q2");
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "orders_columns"));
  CAF_CHECK(has(r.detail, "quantity"));
  CAF_CHECK_EQUAL(r.values["sqlstate_42703"], 1); // undefined_column
}

CAF_TEST(a refused connection carries its errno and a check its expectation) {
  auto cfg = config();
  cfg.checks = {{"index", "SELECT count(*) > 0 FROM pg_indexes WHERE indexname = 'nope'", "t", 0,
                 "", 1000}};
  auto r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK_EQUAL(r.values["checks_unexpected"], 1);
  cfg.db_host = "127.0.0.1";
  cfg.db_port = test::free_port();
  r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK_EQUAL(r.values["errno"], ECONNREFUSED);
  CAF_CHECK(r.values.count("sqlstate_28P01") == 0);
}

CAF_TEST(acknowledged orders missing from the table are down until they are back) {
  auto acked = dir + "/acked.txt";
  // Orders 1..10 exist; the newest 4 acknowledged ids are checked each
  // time, and the next 4 of the older ones (1-4, then 5-6, then 1-4...).
  auto cfg = acked_config(acked);
  auto p = make_probe(cfg);
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(r.values["acked_missing"], 0);
  // Two recent orders gone are seen at once; an old one when its slice comes.
  pg.psql("DELETE FROM orders WHERE id IN (2, 8, 9)");
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK_EQUAL(r.values["acked_missing"], 2);
  CAF_CHECK(has(r.detail, "acked_missing: 2 acknowledged orders are missing"));
  r = run(*p);
  CAF_CHECK_EQUAL(r.values["acked_missing"], 3);
  // Remembered while other slices are looked at: not one result in a few.
  for (int i = 0; i < 3; ++i) {
    r = run(*p);
    CAF_CHECK_EQUAL(r.status, "down");
    CAF_CHECK_EQUAL(r.values["acked_missing"], 3);
  }
  // Restored: ok again once every slice has been looked at again.
  pg.psql("INSERT INTO orders (id, quantity) VALUES (2, 1), (8, 1), (9, 1)");
  for (int i = 0; i < 2; ++i)
    r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(r.values["acked_missing"], 0);
}

CAF_TEST(a missing order counted in a slice is forgotten once a later slice covers it again) {
  auto acked = dir + "/acked-growing.txt";
  auto cfg = acked_config(acked);
  auto p = make_probe(cfg);
  run(*p); // older ids 1-4
  run(*p); // older ids 5-6
  // The ledger grows: the next slice starts where the last one ended (7-8),
  // off the bounds the next round takes (1-4, then 5-8).
  pg.psql("INSERT INTO orders (id, quantity) VALUES (11, 1), (12, 1)");
  std::ofstream{acked, std::ios::app} << "11\n12\n";
  pg.psql("DELETE FROM orders WHERE id = 7");
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.values["acked_missing"], 1);
  pg.psql("INSERT INTO orders (id, quantity) VALUES (7, 1)");
  run(*p); // 1-4
  r = run(*p); // 5-8: order 7 is back
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(r.values["acked_missing"], 0);
  r = run(*p);
  CAF_CHECK_EQUAL(r.values["acked_missing"], 0);
}

CAF_TEST(a stopped server is down at once) {
  auto p = make_probe(config());
  pg.stop("immediate");
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(*p);
  CAF_CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "cannot connect"));
  pg.start();
  CAF_CHECK(test::wait_until([&] { return run(*p).status == "ok"; }, 10s));
}

CAF_TEST(data compares API prices with the DB) {
  std::atomic<int> factor{1};
  http::server api{http::server::options{}};
  api.route("GET", "/products", [&](const http::request&, http::responder respond) {
    auto f = factor.load();
    respond(http::response{200, "application/json",
                           R"({"products": [{"sku": "mug", "price_cents": )"
                             + std::to_string(1200 * f) + R"(}, {"sku": "tee", "price_cents": )"
                             + std::to_string(2400 * f) + "}]}",
                           {}});
  });
  auto port = api.start();
  auto c = config();
  c.kind = "data";
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/products";
  auto p = make_probe(c);
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(r.values["compared"], 2);
  factor = 10;
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "degraded");
  CAF_CHECK_EQUAL(r.values["mismatched"], 2);
  CAF_CHECK(has(r.detail, "API 12000 vs DB 1200"));
}

CAF_TEST_FIXTURE_SCOPE_END()
