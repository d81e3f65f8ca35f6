// shopd as a real process against a real Postgres and pricing upstreams:
// migrations, products, the order path (row, receipt, rollback), the admin
// API and its token, reload, readiness across a database outage, metrics.
#define CAF_SUITE shopd

#include <csignal>
#include <filesystem>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "tests/stack/shop_env.hpp"

using namespace vigil;
using namespace vigil::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

json body_of(const http::client_response& res) {
  return json::parse(res.body, nullptr, false);
}

std::string error_of(const http::client_response& res) {
  auto j = body_of(res);
  return j.is_object() && j.contains("error") && j["error"].is_string()
           ? j["error"].get<std::string>()
           : "";
}

int64_t order_count(shop_env& env) {
  return std::stoll(env.pg.query_value("SELECT count(*) FROM orders"));
}

/// The id the next INSERT into orders gets.
int64_t next_order_id(shop_env& env) {
  return std::stoll(env.pg.query_value(
    "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM orders_id_seq"));
}

/// The price of `sku` in a GET /products answer, and its source.
std::pair<int64_t, std::string> price_in(const json& products, const std::string& sku) {
  for (auto& p : products["products"])
    if (p["sku"] == sku)
      return {p["price_cents"].get<int64_t>(), p["price_source"].get<std::string>()};
  return {-1, ""};
}

} // namespace

CAF_TEST(migrate applies every file once and upserts the catalog) {
  auto& env = shared_shop_env();
  auto& first = env.first_migration;
  CAF_CHECK_EQUAL(first.exit_code, 0);
  CAF_CHECK(contains(first.out, "applied 001_schema_migrations.sql"));
  CAF_CHECK(contains(first.out, "applied 003_orders.sql"));
  CAF_CHECK(contains(first.out, "catalog: 2 products, 2 inserted or updated"));
  auto second = shop_env::run_shopd({"migrate", "--config", env.config_path});
  CAF_CHECK_EQUAL(second.exit_code, 0);
  CAF_CHECK(!contains(second.out, "applied 0"));
  CAF_CHECK(contains(second.out, "none to apply"));
  CAF_CHECK(contains(second.out, "catalog: 2 products, 0 inserted or updated"));
  CAF_CHECK_EQUAL(env.pg.query_value("SELECT count(*) FROM schema_migrations"), "3");
  CAF_CHECK_EQUAL(env.pg.query_value("SELECT string_agg(sku || '=' || price_cents, ',' "
                                     "ORDER BY sku) FROM products"),
                  "apple=120,pear=90");
  CAF_CHECK_EQUAL(env.pg.query_value("SELECT count(*) FROM pg_indexes "
                                     "WHERE indexname = 'orders_created_at_idx'"),
                  "1");
}

CAF_TEST(migrate fails with the database error when it cannot connect) {
  auto& env = shared_shop_env();
  auto cfg = env.config;
  cfg["db"]["port"] = free_port(); // nothing listens there
  auto path = env.dir + "/unreachable.json";
  shop_env::write_config(path, cfg);
  auto result = shop_env::run_shopd({"migrate", "--config", path});
  CAF_CHECK_NOT_EQUAL(result.exit_code, 0);
  CAF_CHECK(contains(result.err, "Connection refused"));
}

CAF_TEST(a config naming a bad field is refused at start) {
  auto& env = shared_shop_env();
  auto cfg = env.config;
  cfg["pool"]["size"] = 0;
  auto path = env.dir + "/bad-pool.json";
  shop_env::write_config(path, cfg);
  auto result = shop_env::run_shopd({"serve", "--config", path});
  CAF_CHECK_EQUAL(result.exit_code, 2);
  CAF_CHECK(contains(result.err, "pool.size"));
}

CAF_TEST(products list with their current price and its source) {
  auto& env = shared_shop_env();
  auto res = env.call("GET", "/products");
  CAF_REQUIRE_EQUAL(res.status, 200);
  auto products = body_of(res);
  CAF_REQUIRE_EQUAL(products["products"].size(), 2u);
  auto apple = price_in(products, "apple");
  CAF_CHECK_EQUAL(apple.first, 120);
  CAF_CHECK_EQUAL(apple.second, "primary");
  CAF_CHECK_EQUAL(products["products"][0]["list_price_cents"].get<int64_t>(), 120);
  auto one = env.call("GET", "/products/pear");
  CAF_REQUIRE_EQUAL(one.status, 200);
  auto pear = body_of(one);
  CAF_CHECK_EQUAL(pear["price_cents"].get<int64_t>(), 90);
  auto missing = env.call("GET", "/products/plum");
  CAF_CHECK_EQUAL(missing.status, 404);
  auto bad = env.call("GET", "/products/a%20b");
  CAF_CHECK_EQUAL(bad.status, 400);
}

CAF_TEST(an order is in the database and in the list and on disk) {
  auto& env = shared_shop_env();
  auto before = order_count(env);
  auto res = env.call("POST", "/orders", R"({"sku": "apple", "quantity": 3})");
  CAF_REQUIRE_EQUAL(res.status, 201);
  auto placed = body_of(res);
  auto id = placed["id"].get<int64_t>();
  CAF_CHECK_EQUAL(placed["total_cents"].get<int64_t>(), 360);
  auto list = env.call("GET", "/orders");
  CAF_REQUIRE_EQUAL(list.status, 200);
  auto orders = body_of(list)["orders"];
  CAF_REQUIRE(!orders.empty());
  CAF_CHECK_EQUAL(orders[0]["id"].get<int64_t>(), id);
  CAF_CHECK_EQUAL(orders[0]["sku"].get<std::string>(), "apple");
  auto receipt_text = read_file(env.receipts_dir() + "/" + std::to_string(id) + ".json");
  auto receipt = json::parse(receipt_text, nullptr, false);
  CAF_REQUIRE(receipt.is_object());
  CAF_CHECK_EQUAL(receipt["order_id"].get<int64_t>(), id);
  CAF_CHECK_EQUAL(receipt["total_cents"].get<int64_t>(), 360);
  CAF_CHECK_EQUAL(receipt["price_source"].get<std::string>(), "primary");
  CAF_CHECK_EQUAL(env.pg.query_value("SELECT sku || ':' || quantity || ':' || total_cents "
                                     "FROM orders WHERE id = "
                                     + std::to_string(id)),
                  "apple:3:360");
  CAF_CHECK_EQUAL(order_count(env), before + 1);
  CAF_CHECK(contains(read_file(env.log_path()), "access POST /orders 201"));
}

CAF_TEST(bad orders get 400 naming the field and insert nothing) {
  auto& env = shared_shop_env();
  auto before = order_count(env);
  auto next_id = next_order_id(env);
  struct bad_case {
    std::string body;
    std::string field;
  };
  std::vector<bad_case> cases{{R"({"quantity": 1})", "'sku'"},
                              {R"({"sku": 7, "quantity": 1})", "'sku'"},
                              {R"({"sku": "plum", "quantity": 1})", "'sku'"},
                              {R"({"sku": "apple"})", "'quantity'"},
                              {R"({"sku": "apple", "quantity": 0})", "'quantity'"},
                              {R"({"sku": "apple", "quantity": -2})", "'quantity'"},
                              {R"({"sku": "apple", "quantity": 1.5})", "'quantity'"},
                              {R"({"sku": "apple", "quantity": "3"})", "'quantity'"},
                              {R"({"sku": "apple", "quantity": 100000})", "'quantity'"},
                              {"not json", "body"},
                              {"[1, 2]", "body"}};
  for (auto& c : cases) {
    auto res = env.call("POST", "/orders", c.body);
    CAF_MESSAGE("POST /orders " << c.body << " -> " << res.status << " " << res.body);
    CAF_CHECK_EQUAL(res.status, 400);
    CAF_CHECK(contains(error_of(res), c.field));
  }
  CAF_CHECK_EQUAL(order_count(env), before);
  // Rejected before the INSERT: not even a sequence value was used.
  CAF_CHECK_EQUAL(next_order_id(env), next_id);
}

CAF_TEST(a receipt that cannot be written rolls the order back with 507) {
  auto& env = shared_shop_env();
  auto before = order_count(env);
  auto id = next_order_id(env);
  auto receipt = env.receipts_dir() + "/" + std::to_string(id) + ".json";
  // Writes to /dev/full fail with ENOSPC, as on a full disk.
  CAF_REQUIRE_EQUAL(::symlink("/dev/full", receipt.c_str()), 0);
  auto res = env.call("POST", "/orders", R"({"sku": "pear", "quantity": 2})");
  ::unlink(receipt.c_str());
  CAF_CHECK_EQUAL(res.status, 507);
  CAF_CHECK_EQUAL(error_of(res), "cannot write receipt: No space left on device");
  CAF_CHECK_EQUAL(order_count(env), before);
  CAF_CHECK_EQUAL(env.pg.query_value("SELECT count(*) FROM orders WHERE id = "
                                     + std::to_string(id)),
                  "0");
  CAF_CHECK(contains(read_file(env.log_path()), "error receipts"));
  // The shop goes on once the disk has room again.
  auto next = env.call("POST", "/orders", R"({"sku": "pear", "quantity": 2})");
  CAF_CHECK_EQUAL(next.status, 201);
  CAF_CHECK_EQUAL(order_count(env), before + 1);
}

CAF_TEST(admin endpoints need the token and live on the admin port only) {
  auto& env = shared_shop_env();
  auto anonymous = http::fetch("GET", "http://127.0.0.1:" + std::to_string(env.admin_port)
                                        + "/admin/status",
                               "", {}, 10s);
  CAF_CHECK_EQUAL(anonymous.status, 401);
  std::string wrong = "not-the-token";
  auto wrong_token = env.admin("POST", "/admin/cache/clear", "", &wrong);
  CAF_CHECK_EQUAL(wrong_token.status, 401);
  auto status = env.admin("GET", "/admin/status");
  CAF_REQUIRE_EQUAL(status.status, 200);
  auto j = body_of(status);
  CAF_CHECK_EQUAL(j["upstream"]["use"].get<std::string>(), "primary");
  CAF_CHECK_EQUAL(j["pool"]["size"].get<int>(), 4);
  CAF_CHECK(!contains(status.body, env.pg.app_password()));
  auto on_public = env.call("GET", "/admin/status");
  CAF_CHECK_EQUAL(on_public.status, 404);
}

CAF_TEST(prices come from the cache until cleared and from the upstream in use) {
  auto& env = shared_shop_env();
  CAF_REQUIRE_EQUAL(env.admin("POST", "/admin/cache/clear").status, 200);
  auto first = env.call("GET", "/products");
  CAF_REQUIRE_EQUAL(first.status, 200);
  CAF_CHECK_EQUAL(price_in(body_of(first), "apple").first, 120);
  // The upstream reprices: cached prices stay until the cache is cleared.
  env.primary.set_mode({{"mode", "skew"}, {"factor", 2.0}});
  auto cached = env.call("GET", "/products");
  CAF_REQUIRE_EQUAL(cached.status, 200);
  CAF_CHECK_EQUAL(price_in(body_of(cached), "apple").first, 120);
  CAF_REQUIRE_EQUAL(env.admin("POST", "/admin/cache/clear").status, 200);
  auto repriced = env.call("GET", "/products");
  CAF_REQUIRE_EQUAL(repriced.status, 200);
  CAF_CHECK_EQUAL(price_in(body_of(repriced), "apple").first, 240);
  // The upstream fails: cached prices still serve, uncached ones cannot.
  env.primary.set_mode({{"mode", "error"}});
  auto during_outage = env.call("GET", "/products");
  CAF_CHECK_EQUAL(during_outage.status, 200);
  CAF_REQUIRE_EQUAL(env.admin("POST", "/admin/cache/clear").status, 200);
  auto uncached = env.call("GET", "/products");
  CAF_CHECK_EQUAL(uncached.status, 502);
  CAF_CHECK(contains(error_of(uncached), "upstream"));
  CAF_CHECK(contains(error_of(uncached), "503"));
  auto ready = env.call("GET", "/readyz");
  CAF_CHECK_EQUAL(ready.status, 503);
  CAF_CHECK_EQUAL(body_of(ready)["upstream"]["ok"].get<bool>(), false);
  // Switching to the fallback brings prices (and readiness) back.
  auto switched = env.admin("POST", "/admin/upstream", R"({"use": "fallback"})");
  CAF_CHECK_EQUAL(switched.status, 200);
  auto products = env.call("GET", "/products");
  CAF_REQUIRE_EQUAL(products.status, 200);
  auto apple = price_in(body_of(products), "apple");
  CAF_CHECK_EQUAL(apple.first, 120);
  CAF_CHECK_EQUAL(apple.second, "fallback");
  auto ready_again = env.call("GET", "/readyz");
  CAF_CHECK_EQUAL(ready_again.status, 200);
  CAF_CHECK_EQUAL(body_of(ready_again)["upstream"]["use"].get<std::string>(), "fallback");
  auto status = env.admin("GET", "/admin/status");
  CAF_CHECK_EQUAL(body_of(status)["upstream"]["use"].get<std::string>(), "fallback");
  auto bogus = env.admin("POST", "/admin/upstream", R"({"use": "elsewhere"})");
  CAF_CHECK_EQUAL(bogus.status, 400);
  CAF_CHECK(contains(error_of(bogus), "'use'"));
  // Restore for the other tests.
  env.primary.set_mode({{"mode", "ok"}});
  CAF_CHECK_EQUAL(env.admin("POST", "/admin/upstream", R"({"use": "primary"})").status, 200);
  CAF_CHECK_EQUAL(env.admin("POST", "/admin/cache/clear").status, 200);
}

CAF_TEST(a broken config is refused on reload and the old one kept) {
  auto& env = shared_shop_env();
  write_file(env.config_path, "{ \"listen\": ");
  auto broken_json = env.admin("POST", "/admin/reload");
  CAF_CHECK_EQUAL(broken_json.status, 400);
  CAF_CHECK(contains(error_of(broken_json), "old config kept"));
  auto cfg = env.config;
  cfg["pool"]["wait_timeout_ms"] = "soon";
  shop_env::write_config(env.config_path, cfg);
  auto bad_field = env.admin("POST", "/admin/reload");
  CAF_CHECK_EQUAL(bad_field.status, 400);
  CAF_CHECK(contains(error_of(bad_field), "pool.wait_timeout_ms"));
  // SIGHUP with the broken file: refused too, and the shop serves on.
  env.shopd.signal(SIGHUP);
  CAF_CHECK(wait_until([&] { return contains(read_file(env.log_path()), "error reload"); }, 10s));
  CAF_CHECK(env.shopd.running());
  CAF_CHECK_EQUAL(env.call("GET", "/products").status, 200);
  // A valid change is taken: the pool grows.
  cfg = env.config;
  cfg["pool"]["size"] = 5;
  shop_env::write_config(env.config_path, cfg);
  auto good = env.admin("POST", "/admin/reload");
  CAF_CHECK_EQUAL(good.status, 200);
  auto status = env.admin("GET", "/admin/status");
  CAF_CHECK_EQUAL(body_of(status)["pool"]["size"].get<int>(), 5);
  shop_env::write_config(env.config_path, env.config);
  CAF_CHECK_EQUAL(env.admin("POST", "/admin/reload").status, 200);
}

CAF_TEST(readyz follows the database down and back up) {
  auto& env = shared_shop_env();
  CAF_REQUIRE(env.wait_for_status("/readyz", 200));
  env.pg.stop("fast");
  auto down = env.call("GET", "/readyz");
  CAF_CHECK_EQUAL(down.status, 503);
  auto report = body_of(down);
  CAF_CHECK_EQUAL(report["db"]["ok"].get<bool>(), false);
  CAF_CHECK_EQUAL(report["disk"]["ok"].get<bool>(), true);
  CAF_CHECK_EQUAL(report["upstream"]["ok"].get<bool>(), true);
  CAF_CHECK(report["db"]["error"].is_string());
  auto orders = env.call("GET", "/orders");
  CAF_CHECK_EQUAL(orders.status, 503);
  CAF_CHECK(contains(error_of(orders), "database unavailable"));
  // Alive, just not ready.
  CAF_CHECK_EQUAL(env.call("GET", "/healthz").status, 200);
  env.pg.start();
  CAF_CHECK(env.wait_for_status("/readyz", 200));
  CAF_CHECK_EQUAL(env.call("GET", "/orders").status, 200);
  CAF_CHECK(contains(read_file(env.log_path()), "error db"));
}

CAF_TEST(a rotated database password is read from its file on new connections) {
  auto& env = shared_shop_env();
  auto old_password = env.pg.app_password();
  env.pg.set_app_password("rotated-" + old_password);
  // A reload drops idle connections: new ones fail until the file changes.
  CAF_REQUIRE_EQUAL(env.admin("POST", "/admin/reload").status, 200);
  auto refused = env.call("GET", "/readyz");
  CAF_CHECK_EQUAL(refused.status, 503);
  CAF_CHECK(contains(body_of(refused)["db"]["error"].get<std::string>(),
                     "password authentication failed"));
  write_file(env.dir + "/db.password", env.pg.app_password() + "\n");
  CAF_CHECK(env.wait_for_status("/readyz", 200));
  CAF_CHECK_EQUAL(env.call("GET", "/orders").status, 200);
}

CAF_TEST(the leak drill grows memory at the requested rate until stopped) {
  auto& env = shared_shop_env();
  auto bad = env.admin("POST", "/admin/leak", R"({"mb_per_second": "lots"})");
  CAF_CHECK_EQUAL(bad.status, 400);
  CAF_CHECK(contains(error_of(bad), "'mb_per_second'"));
  CAF_REQUIRE_EQUAL(env.admin("POST", "/admin/leak", R"({"mb_per_second": 20})").status, 202);
  auto leaked = [&] {
    auto status = env.admin("GET", "/admin/status");
    return body_of(status)["leak"]["leaked_bytes"].get<uint64_t>();
  };
  CAF_CHECK(wait_until([&] { return leaked() >= (8u << 20); }, 10s));
  CAF_REQUIRE_EQUAL(env.admin("POST", "/admin/leak", R"({"mb_per_second": 0})").status, 202);
  auto status = env.admin("GET", "/admin/status");
  CAF_CHECK_GREATER_OR_EQUAL(body_of(status)["resident_memory_bytes"].get<uint64_t>(), 8u << 20);
}

CAF_TEST(metrics expose requests latencies pool cache and memory) {
  auto& env = shared_shop_env();
  CAF_REQUIRE_EQUAL(env.call("GET", "/products").status, 200);
  CAF_REQUIRE_EQUAL(env.call("GET", "/products").status, 200);
  auto res = env.call("GET", "/metrics");
  CAF_REQUIRE_EQUAL(res.status, 200);
  auto& text = res.body;
  CAF_CHECK(contains(text, "http_requests_total{route=\"/products\",status=\"200\"}"));
  CAF_CHECK(contains(text, "http_request_duration_seconds_bucket{route=\"/products\",le=\"0.1\"}"));
  CAF_CHECK(contains(text, "http_request_duration_seconds_count{route=\"/products\"}"));
  CAF_CHECK(contains(text, "db_pool_connections{state=\"in_use\"}"));
  CAF_CHECK(contains(text, "db_pool_connections{state=\"idle\"}"));
  CAF_CHECK(contains(text, "db_pool_connections{state=\"waiting\"}"));
  CAF_CHECK(contains(text, "price_cache_misses_total"));
  CAF_CHECK(contains(text, "process_resident_memory_bytes"));
  // The second listing was served from the cache.
  auto hits_at = text.find("\nprice_cache_hits_total ");
  CAF_REQUIRE(hits_at != std::string::npos);
  CAF_CHECK_GREATER_OR_EQUAL(std::stoll(text.substr(hits_at + 24)), 2);
}

CAF_TEST(the front end is served) {
  auto& env = shared_shop_env();
  auto index = env.call("GET", "/");
  CAF_CHECK_EQUAL(index.status, 200);
  CAF_CHECK(contains(index.body, "<script src=\"/web/app.js\">"));
  auto script = env.call("GET", "/web/app.js");
  CAF_CHECK_EQUAL(script.status, 200);
  CAF_CHECK(contains(script.body, "fetch("));
  CAF_CHECK_EQUAL(env.call("GET", "/web/..%2Fshopd.json").status, 400);
}

CAF_TEST(sigterm stops shopd cleanly) {
  auto& env = shared_shop_env();
  auto cfg = env.config;
  auto port = free_port();
  cfg["listen"] = "127.0.0.1:" + std::to_string(port);
  cfg["admin_listen"] = "127.0.0.1:" + std::to_string(free_port());
  cfg["log_file"] = "second.log";
  auto path = env.dir + "/second.json";
  shop_env::write_config(path, cfg);
  child_process second({SHOPD_BINARY, "--config", path}, env.dir + "/second.out");
  auto url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  CAF_REQUIRE(wait_until(
    [&] {
      try {
        return http::fetch("GET", url, "", {}, 2s).status == 200;
      } catch (const http::client_error&) {
        return false;
      }
    },
    20s));
  second.signal(SIGTERM);
  auto status = second.wait_exit(10s);
  CAF_CHECK(WIFEXITED(status));
  CAF_CHECK_EQUAL(WEXITSTATUS(status), 0);
  CAF_CHECK(contains(read_file(env.dir + "/second.log"), "info shutdown: SIGTERM"));
}
