// The chaos API and the target-DB faults, for real: a private Postgres, the
// chaos subtree in this process, every call over its HTTP API. Each fault's
// symptom is observed from outside (as the app would see it), then reverted.
#define CAF_SUITE chaos_db

#include <filesystem>
#include <fstream>

#include <caf/send.hpp>
#include <caf/test/unit_test.hpp>
#include <pqxx/pqxx>

#include "chaos/fault.hpp"
#include "tests/chaos/chaos_rig.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

struct db_fixture {
  test_postgres pg;
  std::string dir = make_temp_dir("vigil-chaos-db");
  std::shared_ptr<chaos::fault_context> ctx = std::make_shared<chaos::fault_context>();
  std::unique_ptr<chaos_rig> rig;

  db_fixture() {
    // The app's schema, owned by the app role as `shopd migrate` leaves it.
    for (auto& file : {"001_schema_migrations.sql", "002_products.sql", "003_orders.sql"})
      pg.psql("SET ROLE shop;\n"
              + read_file(std::string{VIGIL_SOURCE_DIR} + "/stack/migrations/" + file));
    pg.psql("SET ROLE shop; INSERT INTO products (sku, name, price_cents) VALUES ('tea', 'Tea', 450);"
            "INSERT INTO orders (sku, quantity, unit_price_cents, total_cents)"
            " SELECT 'tea', 1, 450, 450 FROM generate_series(1, 40);");
    ctx->target = test_target(dir, free_port());
    ctx->target.max_concurrent = 2;
    ctx->target.target_db.pgcluster = test_postgres::pgcluster_path();
    ctx->target.target_db.cluster_dir = pg.dir();
    ctx->target.target_db.port = pg.port();
    // The ops store: another database of the same test cluster.
    pg.psql("CREATE DATABASE vigil_ops", "postgres");
    ctx->target.ops_store.socket_dir = pg.dir();
    ctx->target.ops_store.port = pg.port();
    ctx->target.ops_store.dbname = "vigil_ops";
    ctx->locate_service = [](const std::string& s) -> pid_t {
      throw chaos::fault_error("no service " + s + " in this test");
    };
    rig = std::make_unique<chaos_rig>(ctx);
  }

  std::string app_dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(pg.port()) + " dbname=shop user=shop password="
           + pg.app_password() + " connect_timeout=3";
  }

  /// What the app sees running `sql`: "" when it works, else the error.
  std::string app_error(const std::string& sql = "SELECT count(*) FROM orders") {
    try {
      pqxx::connection c{app_dsn()};
      pqxx::work tx{c};
      tx.exec("SET lock_timeout = '300ms'");
      tx.exec(sql);
      tx.commit();
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  bool app_ok() { return app_error().empty(); }

  long orders() { return std::stol(pg.query_value("SELECT count(*) FROM orders")); }

  /// POST /break/FAULT with `body`; returns the HTTP status, fills `reply`.
  int inject(const std::string& fault, const json& body, json* reply = nullptr) {
    auto r = rig->call("POST", "/break/" + fault, body.dump());
    if (reply != nullptr)
      *reply = json::parse(r.body, nullptr, false);
    return r.status;
  }

  json active() { return rig->json_call("GET", "/chaos/active"); }

  int revert(const std::string& id) { return rig->call("DELETE", "/chaos/active/" + id).status; }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(chaos_db_tests, db_fixture)

CAF_TEST(bad requests get clear 4xx errors and inject nothing) {
  std::string none;
  std::string wrong = "wrong-token-0123456789";
  CAF_CHECK_EQUAL(rig->call("GET", "/chaos/faults", "", &none).status, 401);
  CAF_CHECK_EQUAL(rig->call("POST", "/break/lock", "{}", &wrong).status, 401);
  json reply;
  CAF_CHECK_EQUAL(inject("no_such_fault", json::object(), &reply), 404);
  CAF_CHECK(contains(reply.value("error", ""), "unknown fault"));
  CAF_CHECK_EQUAL(rig->call("POST", "/break/lock", "{not json").status, 400);
  CAF_CHECK_EQUAL(inject("lock", {{"params", {{"table", "users"}}}}, &reply), 400);
  CAF_CHECK(contains(reply.value("error", ""), "not one of"));
  CAF_CHECK_EQUAL(inject("lock", {{"colour", "red"}}), 400);
  CAF_CHECK_EQUAL(inject("lock", {{"duration_s", 0}}), 400);
  // A destructive fault needs explicit approval.
  CAF_CHECK_EQUAL(inject("data_loss", json::object(), &reply), 403);
  CAF_CHECK(contains(reply.value("error", ""), "approval"));
  CAF_CHECK_EQUAL(orders(), 40);
  auto now = active();
  CAF_CHECK(now.is_array() && now.empty());
  CAF_CHECK(app_ok());
  // Every refusal is in the chaos log.
  auto log = rig->json_call("GET", "/chaos/log");
  CAF_REQUIRE(log.is_array());
  CAF_CHECK(log.size() >= 3u); // those the controller saw (not malformed HTTP)
  for (auto& e : log)
    CAF_CHECK_EQUAL(e.value("phase", ""), "refused");
  CAF_CHECK_EQUAL(rig->call("GET", "/chaos/log?after=x").status, 400);
  auto faults = rig->json_call("GET", "/chaos/faults");
  CAF_CHECK(faults.is_array() && faults.size() >= 15u);
}

CAF_TEST(lock blocks writers until reverted) {
  json a;
  CAF_REQUIRE_EQUAL(inject("lock", {{"params", {{"table", "orders"}}}}, &a), 201);
  CAF_CHECK_EQUAL(a.value("label", ""), "db_lock_contention");
  auto err = app_error("INSERT INTO orders (sku, quantity, unit_price_cents, total_cents)"
                       " VALUES ('tea', 1, 450, 450)");
  CAF_CHECK(contains(err, "lock timeout"));
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM pg_stat_activity"
                                 " WHERE application_name = 'vigil-chaos-lock'"),
                  "1");
  CAF_CHECK_EQUAL(revert(a.value("id", "")), 200);
  CAF_CHECK(app_ok());
  CAF_CHECK_EQUAL(app_error("INSERT INTO orders (sku, quantity, unit_price_cents, total_cents)"
                            " VALUES ('tea', 1, 450, 450)"),
                  "");
}

CAF_TEST(db_auth locks the app out until reverted) {
  CAF_REQUIRE(app_ok());
  json a;
  CAF_REQUIRE_EQUAL(inject("db_auth", json::object(), &a), 201);
  CAF_CHECK(contains(app_error(), "password authentication failed"));
  CAF_CHECK(wait_until([&] {
    return contains(read_file(pg.log_path()), "password authentication failed for user \"shop\"");
  }, 5s));
  CAF_CHECK_EQUAL(revert(a.value("id", "")), 200);
  CAF_CHECK_EQUAL(app_error(), "");
}

CAF_TEST(db_down refuses connections until started again) {
  json a;
  CAF_REQUIRE_EQUAL(inject("db_down", {{"params", {{"mode", "fast"}}}}, &a), 201);
  CAF_CHECK(!pg.running());
  CAF_CHECK(contains(app_error(), "refused"));
  CAF_CHECK_EQUAL(revert(a.value("id", "")), 200);
  CAF_CHECK(pg.running());
  CAF_CHECK_EQUAL(app_error(), "");
}

CAF_TEST(conn_exhaust takes every slot until reverted) {
  json a;
  CAF_REQUIRE_EQUAL(inject("conn_exhaust", json::object(), &a), 201);
  auto err = app_error();
  CAF_CHECK(contains(err, "too many clients") || contains(err, "remaining connection slots"));
  CAF_CHECK_EQUAL(revert(a.value("id", "")), 200);
  CAF_CHECK(wait_until([&] { return app_ok(); }, 5s));
}

CAF_TEST(schema_drift breaks the queries of the app until reverted) {
  json a;
  CAF_REQUIRE_EQUAL(inject("schema_drift", json::object(), &a), 201);
  CAF_CHECK(contains(app_error("SELECT quantity FROM orders"), "does not exist"));
  CAF_CHECK_EQUAL(revert(a.value("id", "")), 200);
  CAF_CHECK_EQUAL(app_error("SELECT quantity FROM orders"), "");
  CAF_REQUIRE_EQUAL(inject("schema_drift", {{"params", {{"what", "drop_index"}}}}, &a), 201);
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_created_at_idx'"),
                  "0");
  CAF_CHECK_EQUAL(revert(a.value("id", "")), 200);
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_created_at_idx'"),
                  "1");
}

CAF_TEST(data_loss needs approval and the kill switch restores it) {
  json a;
  CAF_REQUIRE_EQUAL(inject("data_loss", {{"approve", true}, {"params", {{"percent", 100}}}}, &a),
                    201);
  CAF_CHECK_EQUAL(orders(), 0);
  auto stopped = rig->json_call("POST", "/break/stop");
  CAF_REQUIRE(stopped.is_array());
  CAF_CHECK_EQUAL(stopped.size(), 1u);
  CAF_CHECK_EQUAL(orders(), 40);
}

CAF_TEST(the kill switch reverts several faults at once and the limit holds) {
  json a, b;
  CAF_REQUIRE_EQUAL(inject("lock", {{"params", {{"table", "products"}}}}, &a), 201);
  CAF_CHECK_EQUAL(inject("lock", json::object()), 409); // one per kind
  CAF_REQUIRE_EQUAL(inject("schema_drift", json::object(), &b), 201);
  CAF_CHECK_EQUAL(inject("conn_exhaust", json::object()), 409); // max_concurrent 2
  CAF_CHECK_EQUAL(active().size(), 2u);
  auto stopped = rig->json_call("POST", "/break/stop");
  CAF_REQUIRE(stopped.is_array());
  CAF_CHECK_EQUAL(stopped.size(), 2u);
  for (auto& e : stopped)
    CAF_CHECK_EQUAL(e.value("phase", ""), "revert");
  CAF_CHECK(active().empty());
  CAF_CHECK_EQUAL(app_error("SELECT name FROM products"), "");
  CAF_CHECK_EQUAL(app_error("SELECT quantity FROM orders"), "");
  // Every inject and revert is in the chaos log file with its label, and
  // the same entries reach the ops store's chaos_log table, once each.
  auto log = read_file(ctx->target.log_file);
  CAF_CHECK(contains(log, "\"phase\":\"inject\""));
  CAF_CHECK(contains(log, "\"label\":\"db_lock_contention\""));
  CAF_CHECK(contains(log, "\"label\":\"schema_drift\""));
  auto entries = rig->json_call("GET", "/chaos/log").size();
  CAF_CHECK(wait_until([&] {
    return pg.query_value("SELECT count(DISTINCT seq) || '/' || count(*) FROM chaos_log",
                          "vigil_ops")
           == std::to_string(entries) + "/" + std::to_string(entries);
  }, 10s));
  CAF_CHECK_EQUAL(pg.query_value("SELECT count(*) FROM chaos_log WHERE phase = 'revert'"
                                 " AND label = 'db_lock_contention'", "vigil_ops"),
                  "1");
}

CAF_TEST(a restarted controller takes the active faults back) {
  CAF_REQUIRE_EQUAL(inject("lock", json::object()), 201);
  auto old = rig->directory->get("t/chaos/controller");
  CAF_REQUIRE(old != nullptr);
  caf::anon_send_exit(old, caf::exit_reason::kill);
  CAF_CHECK(wait_until([&] {
    auto now = rig->directory->get("t/chaos/controller");
    return now != nullptr && now != old;
  }, 5s));
  CAF_CHECK(wait_until([&] {
    auto a = active();
    return a.is_array() && a.size() == 1 && a[0].value("fault", "") == "lock";
  }, 5s));
  // The kill switch reaches it again.
  auto stopped = rig->json_call("POST", "/break/stop");
  CAF_CHECK(stopped.is_array() && stopped.size() == 1u);
  CAF_CHECK_EQUAL(app_error("LOCK TABLE orders"), "");
}

CAF_TEST(a fault reverts itself when its duration is over) {
  CAF_REQUIRE_EQUAL(inject("lock", {{"duration_s", 1}}), 201);
  CAF_CHECK(!app_error("LOCK TABLE orders").empty());
  CAF_CHECK(wait_until([&] { return active().empty(); }, 5s));
  CAF_CHECK_EQUAL(app_error("LOCK TABLE orders"), "");
}

CAF_TEST(the scheduler with a fixed seed injects the same sequence twice) {
  auto run = [&] {
    auto on = json{{"on", true},          {"mean_interval_s", 1}, {"faults", {"lock", "schema_drift"}},
                   {"max_concurrent", 1}, {"min_duration_s", 1},  {"max_duration_s", 1},
                   {"seed", 1234}};
    auto start = rig->json_call("GET", "/chaos/log");
    uint64_t after = start.empty() ? 0 : start.back().value("seq", uint64_t{0});
    CAF_REQUIRE_EQUAL(rig->call("POST", "/chaos/schedule", on.dump()).status, 200);
    std::vector<std::string> seq;
    wait_until([&] {
      seq.clear();
      for (auto& e : rig->json_call("GET", "/chaos/log?after=" + std::to_string(after)))
        if (e.value("phase", "") == "inject")
          seq.push_back(e.value("fault", "") + " " + e["params"].dump());
      return seq.size() >= 3;
    }, 60s);
    rig->call("POST", "/chaos/schedule", R"({"on": false})");
    rig->call("POST", "/break/stop");
    seq.resize(std::min<size_t>(seq.size(), 3));
    return seq;
  };
  auto first = run();
  CAF_CHECK_EQUAL(first.size(), 3u);
  CAF_CHECK(first == run());
  CAF_CHECK(app_ok());
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(a target not marked as a sandbox refuses every fault) {
  auto dir = make_temp_dir("vigil-chaos-nosandbox");
  auto ctx = std::make_shared<chaos::fault_context>();
  ctx->target = test_target(dir, free_port());
  ctx->target.sandbox = false;
  chaos_rig rig{ctx};
  auto r = rig.call("POST", "/break/cpu_hog", "{}");
  CAF_CHECK_EQUAL(r.status, 403);
  CAF_CHECK(contains(r.body, "sandbox"));
  CAF_CHECK_EQUAL(rig.call("POST", "/chaos/schedule", R"({"on": true})").status, 403);
  CAF_CHECK(rig.json_call("GET", "/chaos/active").empty());
}
