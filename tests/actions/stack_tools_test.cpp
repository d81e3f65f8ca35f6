// The stack repair tools: their argument checks (no demo), then each tool
// against the real demo (`./run demo --detach`): break the stack through the
// chaos API, run the tool in this process, see the stack healthy again from
// outside, run it again and see it change nothing.
#define CAF_SUITE stack_tools

#include <atomic>
#include <filesystem>
#include <map>

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/actions/secret_store.hpp"
#include "actors/actions/tools/orders_snapshot.hpp"
#include "actors/actions/tools/tools.hpp"
#include "actors/agents/runbook_book.hpp"
#include "config/model_bindings.hpp"
#include "http/client.hpp"
#include "tests/support/demo.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::actions;
using namespace vigil::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string root = VIGIL_SOURCE_DIR;
const std::string shop = "http://127.0.0.1:8080";
const std::string chaos_api = "http://127.0.0.1:8100";

actions_config demo_config() {
  return load_actions_config(root + "/config/demo/actions.json");
}

/// Each tool by name, made from the demo's actions file.
std::map<std::string, tool_ptr> toolbox_of(const actions_config& cfg) {
  std::map<std::string, tool_ptr> result;
  for (auto make : {make_start_db, make_rotate_db_secret, make_terminate_blocking_sessions,
                    make_terminate_idle_sessions, make_rerun_migrations, make_restore_snapshot,
                    make_reset_db_proxy, make_clear_cache, make_switch_upstream,
                    make_free_disk}) {
    auto t = make(cfg);
    auto name = t->info().name;
    result.emplace(name, std::move(t));
  }
  return result;
}

/// The message of the bad_args `validate` throws, or "" when it accepts.
std::string refusal(const tool& t, const json& args) {
  try {
    t.validate(args);
    return "";
  } catch (const bad_args& e) {
    return e.what();
  }
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// -- the demo ----------------------------------------------------------------

paused_demo& the_demo() {
  static paused_demo d{root, VIGILCTL_BINARY};
  return d;
}

std::string secret(const std::string& name) {
  return the_demo().cluster.secret(name);
}

int status_of(const std::string& method, const std::string& url, const std::string& body = "",
              std::chrono::milliseconds timeout = 5s) {
  try {
    return http::fetch(method, url, body, {{"Content-Type", "application/json"}}, timeout).status;
  } catch (const http::client_error&) {
    return 0;
  }
}

json get_json(const std::string& url, const std::map<std::string, std::string>& headers = {}) {
  try {
    return json::parse(http::fetch("GET", url, "", headers, 5s).body, nullptr, false);
  } catch (const http::client_error&) {
    return nullptr;
  }
}

bool ready() { return status_of("GET", shop + "/readyz") == 200; }

int place_order() {
  return status_of("POST", shop + "/orders", R"({"sku": "mug-classic", "quantity": 1})", 15s);
}

json chaos(const std::string& method, const std::string& path, const json& body = json::object(),
           int* status = nullptr) {
  auto r = http::fetch(method, chaos_api + path, method == "POST" ? body.dump() : "",
                       {{"Authorization", "Bearer " + secret("chaos-api-token")},
                        {"Content-Type", "application/json"}},
                       150s);
  if (status != nullptr)
    *status = r.status;
  return json::parse(r.body, nullptr, false);
}

json inject(const std::string& fault, const json& body = json::object()) {
  int status = 0;
  auto a = chaos("POST", "/break/" + fault, body, &status);
  if (status != 201)
    CAF_FAIL("inject " << fault << " answered " << status << ": " << a.dump());
  return a;
}

/// The kill switch: every fault this case injected is reverted.
void chaos_stop() {
  int status = 0;
  chaos("POST", "/break/stop", json::object(), &status);
  CAF_CHECK_EQUAL(status, 200);
}

std::string shop_dsn() {
  return "host=127.0.0.1 port=5433 dbname=shop user=shop connect_timeout=3 password="
         + secret("shop-db-password");
}

/// Why the app role cannot log in with its secret ("" when it can).
std::string app_db_error() {
  try {
    pqxx::connection c{shop_dsn()};
    pqxx::work tx{c};
    tx.exec("SELECT 1");
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

/// The first value of a query as superuser over the cluster's socket.
std::string super_sql(const std::string& query) {
  pqxx::connection c{"host=" + root + "/var/pg/target port=5433 dbname=shop user=postgres "
                     "connect_timeout=3"};
  pqxx::work tx{c};
  tx.exec("SET LOCAL lock_timeout = '3s'");
  auto r = tx.exec(query);
  tx.commit();
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
}

/// Runs one tool in this process the way the plane does: validate, then run.
struct tool_runner {
  actions_config cfg = demo_config();
  caf::actor_system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  std::map<std::string, tool_ptr> tools = toolbox_of(cfg);
  tool_env env{cfg, sys, "stack-tools-test", [] { return service_manager_actor{}; },
               [] { return registry_actor{}; }};

  tool_outcome run(const std::string& name, const json& args) {
    auto& t = *tools.at(name);
    auto checked = t.validate(args);
    auto out = t.run(checked, env);
    CAF_MESSAGE(name << ": " << out.status << ": " << out.detail);
    return out;
  }
};

tool_runner& runner() {
  // Lives as long as the process and is never destroyed: an actor system torn down
  // by the exit handlers, after CAF's own statics, corrupts the heap.
  static auto* r = new tool_runner;
  return *r;
}

bool changed(const tool_outcome& out) {
  return out.output.value("changed", true);
}

#define REQUIRE_DEMO()                                                                         \
  CAF_REQUIRE(the_demo().cluster.up);                                                          \
  CAF_REQUIRE(wait_until(ready, 60s))

} // namespace

// -- argument checks, no demo ---------------------------------------------------

CAF_TEST(every tool refuses unknown arguments and wrong types) {
  auto cfg = demo_config();
  auto tools = toolbox_of(cfg);
  CAF_CHECK_EQUAL(tools.size(), 10u);
  for (auto& [name, t] : tools) {
    CAF_MESSAGE(name);
    CAF_CHECK(contains(refusal(*t, json{{"bogus", 1}}), "'bogus': unknown"));
    CAF_CHECK(contains(refusal(*t, json::array()), "expected a JSON object"));
    CAF_CHECK(contains(refusal(*t, "text"), "expected a JSON object"));
  }
}

CAF_TEST(validate fills in defaults and refuses what the settings do not allow) {
  auto cfg = demo_config();
  auto tools = toolbox_of(cfg);
  auto& blocking = *tools.at("terminate_blocking_sessions");
  CAF_CHECK(blocking.validate({{"database", "shop"}})["blocking_for_s"] == 10);
  CAF_CHECK(contains(refusal(blocking, json::object()), "'database': required"));
  CAF_CHECK(contains(refusal(blocking, {{"database", "postgres"}}), "not a database this tool"));
  CAF_CHECK(contains(refusal(blocking, {{"database", "shop"}, {"blocking_for_s", -1}}), "not in 0..86400"));
  CAF_CHECK(contains(refusal(blocking, {{"database", "shop"}, {"blocking_for_s", 1.5}}), "whole number"));
  CAF_CHECK(blocking.validate({{"database", "shop"}, {"blocking_for_s", "20"}})["blocking_for_s"] == 20);

  auto& idle = *tools.at("terminate_idle_sessions");
  auto idle_args = idle.validate({{"database", "shop"}, {"exclude_roles", {"shop"}}});
  CAF_CHECK(idle_args["idle_for_s"] == 30);
  // The superuser's sessions are never terminated, whatever the caller says.
  CAF_CHECK(idle_args["exclude_roles"] == json({"shop", "postgres"}));
  CAF_CHECK(contains(refusal(idle, {{"database", "shop"}, {"exclude_roles", "shop"}}), "list"));

  auto& rotate = *tools.at("rotate_db_secret");
  auto rotate_args = rotate.validate({{"role", "shop"}});
  CAF_CHECK(rotate_args["secret"] == "shop-db-password");
  CAF_CHECK(rotate_args["force"] == false);
  CAF_CHECK(contains(refusal(rotate, {{"role", "postgres"}}), "not a role this tool may rotate"));
  CAF_CHECK(contains(refusal(rotate, {{"role", "shop"}, {"secret", "../secrets/x"}}), "not a secret name"));
  CAF_CHECK(contains(refusal(rotate, {{"role", "shop"}, {"secret", "/etc/passwd"}}), "not a secret name"));
  CAF_CHECK(contains(refusal(rotate, {{"role", "shop"}, {"secret", "shopd-admin-token"}}), "lives in secret"));
  CAF_CHECK(contains(refusal(rotate, {{"role", "shop"}, {"force", "yes"}}), "true or false"));

  auto& migrations = *tools.at("rerun_migrations");
  CAF_CHECK(migrations.validate({{"database", "shop"}}) == json({{"database", "shop"}}));
  CAF_CHECK(contains(refusal(migrations, {{"database", "shop"}, {"verify_schema", true}}), "unknown"));

  auto& restore = *tools.at("restore_snapshot");
  auto restore_args = restore.validate({{"table", "orders"}});
  CAF_CHECK(restore_args["from"] == "any");
  CAF_CHECK(!restore_args.contains("database"));
  CAF_CHECK(contains(refusal(restore, {{"table", "products"}}), "not one of: orders"));
  CAF_CHECK(contains(refusal(restore, {{"table", "orders"}, {"from", "backup"}}), "not one of"));
  CAF_CHECK(contains(refusal(restore, json::object()), "'table': required"));

  auto& upstream = *tools.at("switch_upstream");
  CAF_CHECK(upstream.validate({{"use", "fallback"}})["service"] == "shopd");
  CAF_CHECK(contains(refusal(upstream, json::object()), "'use': required"));
  CAF_CHECK(contains(refusal(upstream, {{"use", "sideways"}}), "not one of"));
  CAF_CHECK(contains(refusal(upstream, {{"use", "primary"}, {"service", "pricingd"}}), "not a service"));

  CAF_CHECK(contains(refusal(*tools.at("clear_cache"), {{"service", "postgres"}}), "not a service"));
  CAF_CHECK(tools.at("clear_cache")->validate(json::object())["service"] == "shopd");

  auto& disk = *tools.at("free_disk");
  CAF_CHECK(disk.validate({{"volume", "shopd-data"}})["min_free_mb"] == 16);
  CAF_CHECK(contains(refusal(disk, {{"volume", "/"}}), "not a configured volume"));
  CAF_CHECK(contains(refusal(disk, {{"volume", "shopd-data"}, {"min_free_mb", 0}}), "not in"));

  CAF_CHECK(tools.at("start_db")->validate(json::object()) == json::object());
  CAF_CHECK(contains(refusal(*tools.at("reset_db_proxy"), {{"control", "http://x"}}), "unknown"));
}

CAF_TEST(every runbook step that uses these tools passes their validate) {
  auto cfg = demo_config();
  auto bindings = all_bindings(load_service_model(root + "/config/demo/model.json"));
  auto tools = toolbox_of(cfg);
  size_t checked = 0;
  for (auto& file : fs::directory_iterator{root + "/config/runbooks"}) {
    auto text = read_file(file.path().string());
    auto begin = text.find("---\n");
    auto end = text.find("\n---", begin + 4);
    CAF_REQUIRE(begin != std::string::npos && end != std::string::npos);
    auto front = json::parse(text.substr(begin + 4, end - begin - 4), nullptr, true, true);
    // A failure mode is checked as diagnosis binds it on the demo's model.
    auto runbook = agents::runbook_from_front_matter(front);
    std::vector<json> plans;
    if (!runbook.generic())
      plans.push_back(front["steps"]);
    for (auto& [component, bs] : bindings)
      for (auto& b : runbook.generic() ? bs : std::vector<binding>{}) {
        auto kind = b.find("$kind");
        if (!runbook.applies_to.empty() && (kind == b.end() || kind->second != runbook.applies_to))
          continue;
        auto bound = agents::bind_runbook(runbook, b);
        if (!agents::unbound(bound))
          plans.push_back(bound.steps);
      }
    for (auto& steps : plans)
    for (auto& step : steps) {
      for (auto* use : {&step, step.contains("rollback") ? &step["rollback"] : nullptr}) {
        if (use == nullptr || !use->contains("tool") || !(*use)["tool"].is_string() || tools.count((*use)["tool"].get<std::string>()) == 0)
          continue;
        auto args = use->value("args", json::object());
        auto why = refusal(*tools.at((*use)["tool"].get<std::string>()), args);
        if (!why.empty())
          CAF_FAIL(file.path().filename() << ": " << (*use)["tool"] << " " << args.dump() << ": " << why);
        ++checked;
      }
    }
  }
  CAF_CHECK(checked >= 12u);
}

CAF_TEST(the secret store writes atomically with mode 0600 and refuses paths) {
  auto dir = make_temp_dir("vigil-secrets");
  secret_store store{dir};
  store.write("db-password", "first");
  store.write("db-password", "second");
  CAF_CHECK_EQUAL(store.read("db-password"), "second");
  struct stat st {};
  CAF_REQUIRE_EQUAL(::stat((dir + "/db-password").c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  CAF_CHECK(!secret_store::valid_name("../db-password"));
  CAF_CHECK(!secret_store::valid_name("a/b"));
  CAF_CHECK(!secret_store::valid_name(".hidden"));
  bool refused = false;
  try {
    store.read("missing");
  } catch (const tool_failure&) {
    refused = true;
  }
  CAF_CHECK(refused);
  auto a = secret_store::random_value();
  CAF_CHECK_EQUAL(a.size(), 48u);
  CAF_CHECK_NOT_EQUAL(a, secret_store::random_value());
  // Only the secret and nothing else is left in the folder.
  CAF_CHECK_EQUAL(std::distance(fs::directory_iterator{dir}, fs::directory_iterator{}), 1);
  fs::remove_all(dir);
}

CAF_TEST(free_disk removes the largest files outside the kept folders and never receipts) {
  auto dir = make_temp_dir("vigil-volume");
  fs::create_directories(dir + "/receipts");
  fs::create_directories(dir + "/logs");
  write_file(dir + "/receipts/1.json", std::string(200 * 1024, 'r'));
  write_file(dir + "/logs/runaway.log", std::string(300 * 1024, 'x'));
  write_file(dir + "/dump.bin", std::string(100 * 1024, 'y'));
  write_file(dir + "/small.txt", "tiny");
  auto cfg = parse_actions_config(
    R"({"policy": ")" + root + R"(/config/demo/policy.json", "tools": {"free_disk":
       {"volumes": {"v": {"path": ")" + dir + R"(", "keep": ["receipts/"], "min_free_mb": 1, "min_file_kb": 64}}}}})",
    dir + "/actions.json");
  auto t = make_free_disk(cfg);
  caf::actor_system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  tool_env env{cfg, sys, "test", [] { return service_manager_actor{}; }, [] { return registry_actor{}; }};
  // A target no disk here meets: it frees what policy allows and says it is not enough.
  auto out = t->run(t->validate({{"volume", "v"}, {"min_free_mb", 1048576}}), env);
  CAF_CHECK_EQUAL(out.status, "failed");
  CAF_CHECK_EQUAL(out.output["files"].size(), 2u);
  CAF_CHECK(out.output["files"][0]["path"] == "logs/runaway.log");
  CAF_CHECK(!fs::exists(dir + "/logs/runaway.log"));
  CAF_CHECK(!fs::exists(dir + "/dump.bin"));
  CAF_CHECK(fs::exists(dir + "/small.txt"));
  CAF_CHECK_EQUAL(fs::file_size(dir + "/receipts/1.json"), 200u * 1024);
  // A target already met changes nothing.
  out = t->run(t->validate({{"volume", "v"}}), env);
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["changed"] == false);
  fs::remove_all(dir);
}

CAF_TEST(orders from receipts and snapshot lines are parsed strictly) {
  order_row row;
  CAF_CHECK(parse_order(json{{"order_id", 7}, {"sku", "mug"}, {"quantity", 2},
                             {"unit_price_cents", 100}, {"total_cents", 200},
                             {"created_at", "2026-11-27T10:00:00.123Z"}, {"name", "Mug"}},
                        row));
  CAF_CHECK_EQUAL(row.id, 7);
  CAF_CHECK(parse_order(json{{"id", 8}, {"sku", "mug"}, {"quantity", 1}, {"unit_price_cents", 1},
                             {"total_cents", 1}, {"created_at", "2026-11-27T10:00:00Z"}},
                        row));
  CAF_CHECK(!parse_order(json{{"id", 9}, {"sku", "mug"}, {"quantity", 0}, {"unit_price_cents", 1},
                              {"total_cents", 1}, {"created_at", "x"}},
                         row));
  CAF_CHECK(!parse_order(json{{"id", "9"}}, row));
  CAF_CHECK(!parse_order(json::array(), row));
}

// -- the DB tools against a private Postgres ---------------------------------------

namespace {

/// A private cluster with the shop's schema, and an actions file whose DB
/// tools point at it; secrets, state and receipts in a temp folder.
struct private_shop {
  test_postgres pg{"shop"};
  std::string dir = make_temp_dir("vigil-repair");
  actions_config cfg;
  caf::actor_system_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  tool_env env{cfg, sys, "test", [] { return service_manager_actor{}; },
               [] { return registry_actor{}; }};

  private_shop() {
    for (auto& f : {"001_schema_migrations.sql", "002_products.sql", "003_orders.sql"})
      pg.psql(read_file(root + "/stack/migrations/" + f));
    pg.psql("INSERT INTO products (sku, name, price_cents) VALUES ('mug', 'Mug', 900)");
    pg.psql("GRANT ALL ON ALL TABLES IN SCHEMA public TO shop");
    fs::create_directories(dir + "/secrets");
    fs::create_directories(dir + "/receipts");
    secret_store{dir + "/secrets"}.write("shop-db-password", pg.app_password());
    json db{{"cluster_dir", pg.dir()}, {"port", pg.port()}, {"databases", {"shop"}}};
    auto with = [&](json extra) {
      auto s = db;
      s.update(extra);
      return s;
    };
    json file{{"policy", root + "/config/demo/policy.json"},
              {"secrets_dir", dir + "/secrets"},
              {"state_dir", dir + "/state"},
              {"tools",
               {{"start_db", with({{"pgcluster", test_postgres::pgcluster_path()}})},
                {"rotate_db_secret",
                 with({{"roles", {{"shop", {{"database", "shop"}, {"secret", "shop-db-password"}}}}}})},
                {"terminate_blocking_sessions", db},
                {"terminate_idle_sessions", db},
                {"rerun_migrations", with({{"migrations_dir", root + "/stack/migrations"}})},
                {"restore_snapshot", with({{"receipts_dir", dir + "/receipts"}, {"min_receipt_age_s", 0}})}}}};
    cfg = parse_actions_config(file.dump(), dir + "/actions.json");
  }

  ~private_shop() { fs::remove_all(dir); }

  tool_outcome run(tool_ptr (*make)(const actions_config&), const json& args) {
    auto t = make(cfg);
    auto out = t->run(t->validate(args), env);
    CAF_MESSAGE(t->info().name << ": " << out.status << ": " << out.detail);
    return out;
  }

  std::string app_dsn(const std::string& password) {
    return "host=127.0.0.1 port=" + std::to_string(pg.port())
           + " dbname=shop user=shop connect_timeout=3 password=" + password;
  }
};

} // namespace

CAF_TEST(rerun_migrations repairs a renamed column and a dropped index on a private DB) {
  private_shop shop;
  shop.pg.psql("ALTER TABLE orders RENAME COLUMN quantity TO quantity_drifted");
  shop.pg.psql("DROP INDEX orders_created_at_idx");
  auto out = shop.run(make_rerun_migrations, {{"database", "shop"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK_EQUAL(out.output["repairs"].size(), 2u);
  CAF_CHECK_EQUAL(shop.pg.query_value("SELECT count(*) FROM information_schema.columns "
                                      "WHERE table_name = 'orders' AND column_name = 'quantity'"),
                  "1");
  CAF_CHECK_EQUAL(shop.pg.query_value("SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_created_at_idx'"),
                  "CREATE INDEX orders_created_at_idx ON public.orders USING btree (created_at DESC, id DESC)");
  out = shop.run(make_rerun_migrations, {{"database", "shop"}});
  CAF_CHECK(out.output["changed"] == false);
  // A dropped column is not something a rename explains: escalate, change nothing.
  shop.pg.psql("ALTER TABLE orders DROP COLUMN total_cents");
  out = shop.run(make_rerun_migrations, {{"database", "shop"}});
  CAF_CHECK_EQUAL(out.status, "failed");
  CAF_CHECK(contains(out.detail, "column orders.total_cents is missing"));
}

CAF_TEST(restore_snapshot re-inserts missing orders from receipts and snapshots once) {
  private_shop shop;
  shop.pg.psql("INSERT INTO orders (sku, quantity, unit_price_cents, total_cents) "
               "SELECT 'mug', n, 900, 900 * n FROM generate_series(1, 5) n");
  // A snapshot of all five; receipts for two of them and for a sixth (newer than the snapshot).
  auto out = shop.run(make_restore_snapshot, {{"table", "orders"}});
  CAF_CHECK(out.output["restored"] == 0);
  CAF_CHECK(out.output["rows_after"] == 5);
  for (int id : {2, 4})
    write_file(shop.dir + "/receipts/" + std::to_string(id) + ".json",
               json{{"order_id", id}, {"sku", "mug"}, {"name", "Mug"}, {"quantity", id},
                    {"unit_price_cents", 900}, {"total_cents", 900 * id}, {"price_source", "primary"},
                    {"created_at", "2026-11-27T10:00:00.123Z"}}.dump());
  shop.pg.psql("INSERT INTO orders (sku, quantity, unit_price_cents, total_cents) VALUES ('mug', 6, 900, 5400)");
  write_file(shop.dir + "/receipts/6.json",
             json{{"order_id", 6}, {"sku", "mug"}, {"quantity", 6}, {"unit_price_cents", 900},
                  {"total_cents", 5400}, {"created_at", "2026-11-27T10:00:01.000Z"}}.dump());
  write_file(shop.dir + "/receipts/7.json", "{\"order_id\": 7, \"sku\": \"mug\"}"); // unreadable
  shop.pg.psql("DELETE FROM orders WHERE id IN (1, 2, 3, 6)");
  out = shop.run(make_restore_snapshot, {{"table", "orders"}, {"from", "any"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["restored"] == 4);
  CAF_CHECK(out.output["restored_from_receipts"] == 2);
  CAF_CHECK(out.output["restored_from_snapshot"] == 2);
  CAF_CHECK(out.output["receipts_unreadable"] == 1);
  CAF_CHECK_EQUAL(shop.pg.query_value("SELECT string_agg(id::text || ':' || quantity, ',' ORDER BY id) FROM orders"),
                  "1:1,2:2,3:3,4:4,5:5,6:6");
  // The sequence moves on past the restored ids.
  CAF_CHECK_EQUAL(shop.pg.query_value("INSERT INTO orders (sku, quantity, unit_price_cents, total_cents) "
                                      "VALUES ('mug', 1, 900, 900) RETURNING id"),
                  "7");
  out = shop.run(make_restore_snapshot, {{"table", "orders"}});
  CAF_CHECK(out.output["restored"] == 0);
  CAF_CHECK_EQUAL(shop.pg.query_value("SELECT count(*) FROM orders"), "7");
}

CAF_TEST(rotate_db_secret brings a changed password back in step on a private DB) {
  private_shop shop;
  secret_store store{shop.dir + "/secrets"};
  auto out = shop.run(make_rotate_db_secret, {{"role", "shop"}});
  CAF_CHECK(out.output["changed"] == false);
  shop.pg.set_app_password("changed-by-hand");
  out = shop.run(make_rotate_db_secret, {{"role", "shop"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["changed"] == true);
  auto value = store.read("shop-db-password");
  CAF_CHECK_NOT_EQUAL(value, shop.pg.app_password());
  CAF_CHECK(!contains(out.detail + out.output.dump(), value));
  pqxx::connection login{shop.app_dsn(value)};
  CAF_CHECK(login.is_open());
  // The verifier went to the server, never the password.
  CAF_CHECK(contains(shop.pg.query_value("SELECT rolpassword FROM pg_authid WHERE rolname = 'shop'"),
                     "SCRAM-SHA-256$"));
  CAF_CHECK(!contains(read_file(shop.pg.log_path()), value));
  out = shop.run(make_rotate_db_secret, {{"role", "shop"}, {"force", true}});
  CAF_CHECK(out.output["changed"] == true);
  CAF_CHECK_NOT_EQUAL(store.read("shop-db-password"), value);
}

CAF_TEST(the session tools end idle and blocking sessions on a private DB) {
  private_shop shop;
  pqxx::connection idle{shop.app_dsn(shop.pg.app_password())};
  auto out = shop.run(make_terminate_idle_sessions, {{"database", "shop"}, {"idle_for_s", 0}});
  CAF_CHECK(out.output["by_role"].value("shop", 0) >= 1);
  bool dead = false;
  try {
    pqxx::nontransaction tx{idle};
    tx.exec("SELECT 1");
  } catch (const std::exception&) {
    dead = true;
  }
  CAF_CHECK(dead);
  out = shop.run(make_terminate_idle_sessions, {{"database", "shop"}, {"idle_for_s", 0}});
  CAF_CHECK(out.output["terminated"] == 0);

  auto waiting = [&] {
    return shop.pg.query_value("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
  };
  // A reader waits behind whoever holds the lock, for up to 30 s.
  auto start_waiter = [&] {
    return std::thread{[&] {
      try {
        pqxx::connection c{shop.app_dsn(shop.pg.app_password())};
        pqxx::work tx{c};
        tx.exec("SET LOCAL statement_timeout = '30s'");
        tx.exec("SELECT count(*) FROM orders");
      } catch (const std::exception&) {
        // nop
      }
    }};
  };
  {
    // A short transaction: it commits while the tool waits for it to reach
    // the limit, so it is left alone.
    std::atomic<bool> locked{false};
    std::thread short_one{[&] {
      pqxx::connection holder{shop.app_dsn(shop.pg.app_password())};
      pqxx::work lock{holder};
      lock.exec("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      locked = true;
      wait_until([&] { return waiting() != "0"; }, 10s);
      std::this_thread::sleep_for(1s); // the transaction's own work
      lock.commit();
    }};
    CAF_REQUIRE(wait_until([&] { return locked.load(); }, 10s));
    auto waiter = start_waiter();
    CAF_REQUIRE(wait_until([&] { return waiting() != "0"; }, 10s));
    out = shop.run(make_terminate_blocking_sessions, {{"database", "shop"}, {"blocking_for_s", 4}});
    short_one.join();
    waiter.join();
    CAF_CHECK(out.output["terminated"] == 0);
    CAF_CHECK(out.output["blocking_sessions"] == 0);
  }
  // A lock held on and on: young when the tool starts, ended once it is
  // old enough and still blocks.
  pqxx::connection holder{shop.app_dsn(shop.pg.app_password())};
  pqxx::work lock{holder};
  lock.exec("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
  auto waiter = start_waiter();
  CAF_REQUIRE(wait_until([&] { return waiting() != "0"; }, 10s));
  out = shop.run(make_terminate_blocking_sessions, {{"database", "shop"}, {"blocking_for_s", 2}});
  waiter.join();
  CAF_CHECK(out.output["terminated"] == 1);
  CAF_CHECK_EQUAL(waiting(), "0");
  out = shop.run(make_terminate_blocking_sessions, {{"database", "shop"}, {"blocking_for_s", 0}});
  CAF_CHECK(out.output["blocking_sessions"] == 0);
}

CAF_TEST(start_db starts a stopped private cluster) {
  private_shop shop;
  shop.pg.stop();
  CAF_REQUIRE(!shop.pg.running());
  auto out = shop.run(make_start_db, json::object());
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(shop.pg.running());
  out = shop.run(make_start_db, json::object());
  CAF_CHECK(out.output["changed"] == false);
}

// -- against the real demo --------------------------------------------------------

CAF_TEST(start_db starts a stopped target DB) {
  REQUIRE_DEMO();
  auto& r = runner();
  inject("db_down");
  CAF_REQUIRE(wait_until([] { return !app_db_error().empty(); }, 30s));
  auto out = r.run("start_db", json::object());
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(changed(out));
  CAF_CHECK_EQUAL(app_db_error(), "");
  CAF_CHECK(wait_until(ready, 30s));
  out = r.run("start_db", json::object());
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(!changed(out));
  CAF_CHECK(contains(out.detail, "nothing changed"));
  chaos_stop();
  CAF_CHECK(wait_until(ready, 30s));
}

CAF_TEST(rotate_db_secret puts the role and the secret back in step) {
  REQUIRE_DEMO();
  auto& r = runner();
  inject("db_auth");
  CAF_REQUIRE(wait_until([] { return contains(app_db_error(), "password authentication failed"); }, 30s));
  auto out = r.run("rotate_db_secret", {{"role", "shop"}, {"secret", "shop-db-password"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(changed(out));
  CAF_CHECK_EQUAL(app_db_error(), "");
  CAF_CHECK(wait_until(ready, 30s));
  CAF_CHECK_EQUAL(place_order(), 201);
  // The value never leaves the tool: not in the detail, not in the output.
  auto value = secret("shop-db-password");
  CAF_CHECK(!contains(out.detail, value));
  CAF_CHECK(!contains(out.output.dump(), value));
  struct stat st {};
  CAF_REQUIRE_EQUAL(::stat((root + "/var/secrets/shop-db-password").c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  out = r.run("rotate_db_secret", {{"role", "shop"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(!changed(out));
  CAF_CHECK_EQUAL(secret("shop-db-password"), value);
  // The fault's revert sees the password changed since (repaired) and
  // leaves it: the app keeps logging in, and there is nothing to rotate.
  chaos_stop();
  CAF_CHECK_EQUAL(app_db_error(), "");
  out = r.run("rotate_db_secret", {{"role", "shop"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(!changed(out));
  CAF_CHECK(wait_until(ready, 30s));
}

CAF_TEST(terminate_blocking_sessions ends the session holding the lock) {
  REQUIRE_DEMO();
  auto& r = runner();
  inject("lock", {{"params", {{"table", "orders"}}}});
  // A waiter of our own, so the wait chain exists whatever the traffic does.
  std::thread waiter{[] {
    try {
      pqxx::connection c{shop_dsn()};
      pqxx::work tx{c};
      tx.exec("SET LOCAL statement_timeout = '60s'");
      tx.exec("SELECT count(*) FROM orders");
    } catch (const std::exception&) {
      // the lock's holder may be terminated first; either way it ends
    }
  }};
  CAF_REQUIRE(wait_until([] {
    return super_sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                     "AND datname = 'shop'") != "0";
  }, 10s));
  // Any age: the waiter above is blocked now.
  auto out = r.run("terminate_blocking_sessions", {{"database", "shop"}, {"blocking_for_s", 0}});
  waiter.join();
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["terminated"].get<int>() >= 1);
  bool chaos_session = false;
  for (auto& s : out.output["sessions"])
    chaos_session = chaos_session || s.value("application", "") == "vigil-chaos-lock";
  CAF_CHECK(chaos_session);
  CAF_CHECK_EQUAL(super_sql("SELECT count(*) >= 0 FROM orders"), "t");
  CAF_CHECK(wait_until([] { return place_order() == 201; }, 15s));
  out = r.run("terminate_blocking_sessions", {{"database", "shop"}});
  CAF_CHECK(out.output["terminated"] == 0);
  CAF_CHECK(contains(out.detail, "nothing changed"));
  chaos_stop();
}

CAF_TEST(terminate_idle_sessions frees the connection slots) {
  REQUIRE_DEMO();
  auto& r = runner();
  inject("conn_exhaust");
  // Postgres keeps its last slots for superusers: the app sees "remaining
  // connection slots are reserved", or "too many clients" once those go too.
  CAF_REQUIRE(wait_until(
    [] {
      auto error = app_db_error();
      return contains(error, "remaining connection slots") || contains(error, "too many clients");
    },
    30s));
  auto args = json{{"database", "shop"}, {"idle_for_s", 0}, {"exclude_roles", {"shop", "postgres"}}};
  auto out = r.run("terminate_idle_sessions", args);
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["by_role"].value("vigil_chaos_idle", 0) > 0);
  CAF_CHECK(!out.output["by_role"].contains("shop"));
  CAF_CHECK_EQUAL(app_db_error(), "");
  CAF_CHECK(wait_until(ready, 30s));
  out = r.run("terminate_idle_sessions", args);
  CAF_CHECK(out.output["terminated"] == 0);
  CAF_CHECK(!changed(out));
  chaos_stop();
}

CAF_TEST(rerun_migrations renames a drifted column back and recreates a dropped index) {
  REQUIRE_DEMO();
  auto& r = runner();
  inject("schema_drift", {{"params", {{"what", "rename_column"}}}});
  CAF_REQUIRE(wait_until([] { return place_order() >= 500; }, 10s));
  auto out = r.run("rerun_migrations", {{"database", "shop"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(contains(out.detail, "renamed column orders.quantity_drifted back to quantity"));
  CAF_CHECK(wait_until([] { return place_order() == 201; }, 10s));
  out = r.run("rerun_migrations", {{"database", "shop"}});
  CAF_CHECK(!changed(out));
  CAF_CHECK(contains(out.detail, "matches the migrations"));
  chaos_stop();

  inject("schema_drift", {{"params", {{"what", "drop_index"}}}});
  auto has_index = [] {
    return super_sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_created_at_idx'");
  };
  CAF_REQUIRE_EQUAL(has_index(), "0");
  out = r.run("rerun_migrations", {{"database", "shop"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(contains(out.detail, "recreated index orders_created_at_idx"));
  CAF_CHECK_EQUAL(has_index(), "1");
  CAF_CHECK_EQUAL(super_sql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'vigil_expected%'"), "0");
  out = r.run("rerun_migrations", {{"database", "shop"}});
  CAF_CHECK(!changed(out));
  chaos_stop();
}

CAF_TEST(restore_snapshot puts back every lost order once) {
  REQUIRE_DEMO();
  auto& r = runner();
  // Every receipt counts, even one whose order is still committing: the
  // insert then waits for that order's row and skips it.
  r.cfg.tools["restore_snapshot"]["min_receipt_age_s"] = 0;
  r.tools["restore_snapshot"] = make_restore_snapshot(r.cfg);
  // A snapshot of the healthy table (orders from before this demo run have no receipt).
  auto out = r.run("restore_snapshot", {{"table", "orders"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(fs::exists(out.output.value("snapshot_after", "")));
  for (int i = 0; i < 5; ++i)
    CAF_REQUIRE_EQUAL(place_order(), 201);
  auto loss = inject("data_loss", {{"approve", true}, {"params", {{"percent", 60}}}});
  auto detail = loss.value("detail", "");
  auto at = detail.find("chaos_snapshot_orders_");
  CAF_REQUIRE(at != std::string::npos);
  auto table = detail.substr(at, detail.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789", at) - at);
  auto lost = "SELECT count(*) FROM " + table + " s WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = s.id)";
  CAF_REQUIRE_NOT_EQUAL(super_sql(lost), "0");
  out = r.run("restore_snapshot", {{"table", "orders"}, {"from", "any"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["restored"].get<int>() > 0);
  CAF_CHECK(out.output["restored_from_receipts"].get<int>() > 0);
  CAF_CHECK_EQUAL(super_sql(lost), "0");
  // The very rows, not only their ids.
  CAF_CHECK_EQUAL(super_sql("SELECT count(*) FROM " + table + " s JOIN orders o USING (id) WHERE "
                            "(o.sku, o.quantity, o.unit_price_cents, o.total_cents) IS DISTINCT FROM "
                            "(s.sku, s.quantity, s.unit_price_cents, s.total_cents) OR "
                            "date_trunc('milliseconds', o.created_at) <> date_trunc('milliseconds', s.created_at)"),
                  "0");
  CAF_CHECK_EQUAL(place_order(), 201); // the sequence did not go back
  out = r.run("restore_snapshot", {{"table", "orders"}});
  CAF_CHECK(out.output["restored"] == 0);
  CAF_CHECK(!changed(out));
  chaos_stop();
}

CAF_TEST(reset_db_proxy removes the added latency) {
  REQUIRE_DEMO();
  auto& r = runner();
  inject("latency", {{"params", {{"delay_ms", 800}}}});
  CAF_REQUIRE_EQUAL(get_json("http://127.0.0.1:5436/toxics").value("delay_ms", 0), 800);
  auto out = r.run("reset_db_proxy", json::object());
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(changed(out));
  CAF_CHECK_EQUAL(get_json("http://127.0.0.1:5436/toxics").value("delay_ms", -1), 0);
  out = r.run("reset_db_proxy", json::object());
  CAF_CHECK(!changed(out));
  chaos_stop();
}

CAF_TEST(clear_cache drops the poisoned prices) {
  REQUIRE_DEMO();
  auto& r = runner();
  auto first_price = [] {
    auto p = get_json(shop + "/products");
    auto& items = p.is_array() ? p : p["products"];
    return items.is_array() && !items.empty() ? items[0].value("price_cents", -1) : -1;
  };
  auto before = first_price();
  CAF_REQUIRE(before > 0);
  inject("cache_poison", {{"params", {{"factor", 10}}}});
  CAF_REQUIRE_EQUAL(first_price(), before * 10);
  auto out = r.run("clear_cache", {{"service", "shopd"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["cleared"].get<int>() > 0);
  CAF_CHECK_EQUAL(first_price(), before);
  // Clearing again only drops right prices, which refill by themselves.
  out = r.run("clear_cache", json::object());
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK_EQUAL(first_price(), before);
  chaos_stop();
}

CAF_TEST(switch_upstream moves shopd to the fallback and back) {
  REQUIRE_DEMO();
  auto& r = runner();
  auto upstream_use = [] {
    auto s = get_json("http://127.0.0.1:8081/admin/status",
                      {{"Authorization", "Bearer " + secret("shopd-admin-token")}});
    return s.is_object() ? s["upstream"].value("use", "") : "";
  };
  inject("upstream_down", {{"params", {{"mode", "error"}}}});
  CAF_REQUIRE(wait_until([] { return !ready(); }, 10s));
  auto out = r.run("switch_upstream", {{"use", "fallback"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(changed(out));
  CAF_CHECK_EQUAL(upstream_use(), "fallback");
  CAF_CHECK(wait_until(ready, 10s));
  out = r.run("switch_upstream", {{"use", "fallback"}});
  CAF_CHECK(!changed(out));
  // Back to a primary that still fails: the switch is made and reported as not working.
  out = r.run("switch_upstream", {{"use", "primary"}});
  CAF_CHECK_EQUAL(out.status, "failed");
  chaos_stop();
  out = r.run("switch_upstream", {{"use", "primary"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK_EQUAL(upstream_use(), "primary");
  CAF_CHECK(wait_until(ready, 10s));
}

CAF_TEST(free_disk frees the full data volume and keeps the receipts) {
  REQUIRE_DEMO();
  auto& r = runner();
  auto data = root + "/var/stack/shopd-data";
  auto receipts = [&] {
    return std::distance(fs::directory_iterator{data + "/receipts"}, fs::directory_iterator{});
  };
  CAF_REQUIRE_EQUAL(place_order(), 201);
  inject("disk_full");
  CAF_REQUIRE_EQUAL(place_order(), 507);
  auto kept = receipts();
  auto out = r.run("free_disk", {{"volume", "shopd-data"}});
  CAF_CHECK_EQUAL(out.status, "done");
  CAF_CHECK(out.output["freed"].get<uint64_t>() > 16u * 1024 * 1024);
  CAF_CHECK_EQUAL(receipts(), kept);
  struct statvfs vfs {};
  CAF_REQUIRE_EQUAL(::statvfs(data.c_str(), &vfs), 0);
  CAF_CHECK(static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize >= 16u * 1024 * 1024);
  CAF_CHECK(wait_until([] { return place_order() == 201; }, 10s));
  out = r.run("free_disk", {{"volume", "shopd-data"}});
  CAF_CHECK(!changed(out));
  CAF_CHECK(out.output["freed"] == 0);
  chaos_stop();
}
