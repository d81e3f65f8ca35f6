// Every fault of the catalogue against the real demo (`./run demo --detach`):
// inject through the chaos node's HTTP API, see the symptom from outside as
// a user or operator would, revert, see the stack healthy again.
#define CAF_SUITE stack_faults

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "http/client.hpp"
#include "tests/support/demo.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

const std::string root = VIGIL_SOURCE_DIR;
const std::string shop = "http://127.0.0.1:8080";
const std::string chaos_api = "http://127.0.0.1:8100";

/// The demo, started once for this executable and stopped at its end.
demo_cluster& the_demo() {
  // The faults' own effects are under test, not their repair: agents paused
  // (an incident an earlier test left open once restarted shopd in the
  // middle of a check that its pid survives a node restart).
  static paused_demo d{root, VIGILCTL_BINARY};
  return d.cluster;
}

std::string secret(const std::string& name) {
  return the_demo().secret(name);
}

http::client_response get(const std::string& url, std::chrono::milliseconds timeout = 5s) {
  return http::fetch("GET", url, "", {}, timeout);
}

int status_of(const std::string& method, const std::string& url, const std::string& body = "",
              std::chrono::milliseconds timeout = 5s) {
  try {
    return http::fetch(method, url, body, {{"Content-Type", "application/json"}}, timeout).status;
  } catch (const http::client_error&) {
    return 0; // refused, reset or timed out
  }
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

/// Injects `fault`; returns its injection id (fails the test if refused).
std::string inject(const std::string& fault, const json& body = json::object()) {
  int status = 0;
  auto a = chaos("POST", "/break/" + fault, body, &status);
  if (status != 201)
    CAF_FAIL("inject " << fault << " answered " << status << ": " << a.dump());
  return a.value("id", "");
}

void revert(const std::string& id) {
  int status = 0;
  auto e = chaos("DELETE", "/chaos/active/" + id, json::object(), &status);
  CAF_CHECK_EQUAL(status, 200);
  CAF_CHECK_EQUAL(e.value("phase", ""), "revert");
}

std::string ctl_path() { return std::string{VIGILCTL_BINARY}; }

json services() {
  auto r = run_command({ctl_path(), "--json", "services"});
  return json::parse(r.out, nullptr, false);
}

json service(const std::string& name) {
  auto all = services();
  if (all.is_array())
    for (auto& s : all)
      if (s.value("name", "") == name)
        return s;
  return nullptr;
}

bool healthy() { return status_of("GET", shop + "/healthz") == 200; }
bool ready() { return status_of("GET", shop + "/readyz") == 200; }

int place_order() {
  return status_of("POST", shop + "/orders", R"({"sku": "mug-classic", "quantity": 1})", 15s);
}

/// Brings shopd back after a fault that outlives its revert.
void heal_shopd() {
  auto r = run_command({ctl_path(), "service", "restart", "shopd"}, 60s);
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK(wait_until(ready, 30s));
}

std::string app_db_error() {
  try {
    pqxx::connection c{"host=127.0.0.1 port=5433 dbname=shop user=shop connect_timeout=3 password="
                       + secret("shop-db-password")};
    pqxx::work tx{c};
    tx.exec("SELECT 1");
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Share of busy CPU time over a short window, from /proc/stat.
double cpu_busy() {
  auto sample = [] {
    std::ifstream in{"/proc/stat"};
    std::string cpu;
    uint64_t v, total = 0, idle = 0;
    in >> cpu;
    for (int i = 0; in >> v && i < 8; ++i) {
      total += v;
      if (i == 3 || i == 4)
        idle += v;
    }
    return std::make_pair(total, idle);
  };
  auto a = sample();
  // A measuring window, not a wait for a result.
  std::this_thread::sleep_for(500ms);
  auto b = sample();
  auto total = double(b.first - a.first);
  return total <= 0 ? 0 : 1.0 - double(b.second - a.second) / total;
}

/// Children of the chaos node's process: the cpu_hog's busy processes.
int hog_processes() {
  auto chaos_pid = read_file(root + "/var/demo/pids/chaos.pid");
  while (!chaos_pid.empty() && chaos_pid.back() == '\n')
    chaos_pid.pop_back();
  int n = 0;
  for (auto& entry : std::filesystem::directory_iterator{"/proc"}) {
    auto stat = read_file(entry.path().string() + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos)
      continue;
    std::istringstream rest{stat.substr(close + 2)};
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid == chaos_pid && state != "Z")
      ++n;
  }
  return n;
}

using steady = std::chrono::steady_clock;

/// The probes' latest results by name, as `vigilctl --json probes` shows them.
std::map<std::string, json> probe_results() {
  std::map<std::string, json> out;
  auto r = run_command({ctl_path(), "--json", "probes"}, 5s);
  auto list = json::parse(r.out, nullptr, false);
  if (list.is_array())
    for (auto& p : list)
      out[p.value("probe", "")] = p;
  return out;
}

std::string probe_status(const std::map<std::string, json>& results, const std::string& name) {
  auto it = results.find(name);
  return it == results.end() ? "missing" : it->second.value("status", "");
}

/// True once every probe in `names` is ok (no stale symptom before a fault).
bool probes_ok(const std::vector<std::string>& names) {
  auto results = probe_results();
  for (auto& n : names)
    if (probe_status(results, n) != "ok")
      return false;
  return true;
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// When one of `names` first reported the current symptom (a status change to
/// not ok after its last ok) at or after `since_ms`, from the bus's record of
/// probe events (oldest first); 0 if none yet.
int64_t first_symptom_ms(const std::vector<std::string>& names, int64_t since_ms) {
  auto r = run_command({ctl_path(), "--json", "events", "--topic", "probe.", "--since",
                        std::to_string(since_ms), "--limit", "5000"});
  auto events = json::parse(r.out, nullptr, false);
  if (!events.is_array())
    return 0;
  std::map<std::string, int64_t> first; // per probe; an ok resets it
  for (auto& e : events) {
    if (!e.contains("payload") || !e["payload"].is_object())
      continue;
    auto status = e["payload"].value("status", "ok");
    for (auto& n : names)
      if (e.value("topic", "") == "probe." + n) {
        if (status == "ok")
          first[n] = 0;
        else if (first[n] == 0)
          first[n] = e.value("at", int64_t{0});
      }
  }
  int64_t earliest = 0;
  for (auto& [name, at] : first)
    if (at > 0 && (earliest == 0 || at < earliest))
      earliest = at;
  return earliest;
}

/// The issue's requirement: one of `names` shows the symptom (not ok) within
/// 1 s of the inject's reply at `injected`. The time is the probe's own, from
/// the event it published when its status changed, so a slow `vigilctl` here
/// on a busy host does not count against the probe.
void expect_symptom(const std::vector<std::string>& names, steady::time_point injected) {
  auto injected_ms = wall_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                   steady::now() - injected).count();
  std::string seen;
  auto shown = wait_until(
    [&] {
      auto results = probe_results();
      for (auto& n : names)
        if (probe_status(results, n) != "ok" && probe_status(results, n) != "missing") {
          seen = n + " " + probe_status(results, n) + ": "
                 + results[n].value("detail", "");
          return true;
        }
      return false;
    },
    10s);
  CAF_CHECK(shown);
  if (!shown) {
    CAF_MESSAGE("no symptom on any of the probes");
    return;
  }
  // Faults that act before their inject returns may show a little earlier:
  // look from 2 s before the reply (the probes were ok right before the inject).
  int64_t first = 0;
  CAF_CHECK(wait_until([&] { return (first = first_symptom_ms(names, injected_ms - 2000)) > 0; },
                       5s));
  auto took = std::max<int64_t>(0, first - injected_ms);
  CAF_CHECK_LESS_OR_EQUAL(took, 1000);
  CAF_MESSAGE("symptom after " << took << " ms: " << seen);
}

/// After a revert (or a repair), the probes are all ok again.
void expect_cleared(const std::vector<std::string>& names,
                    std::chrono::milliseconds within = 30s) {
  CAF_CHECK(wait_until([&] { return probes_ok(names); }, within));
}

struct fixture {
  fixture() {
    CAF_REQUIRE(the_demo().up);
    // Each test starts with nothing injected (faults that outlive their
    // effect, like a crash, stay active until their time is up).
    chaos("POST", "/break/stop");
    CAF_REQUIRE(wait_until(ready, 30s));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(stack_faults_tests, fixture)

CAF_TEST(the stack serves orders before any fault) {
  CAF_CHECK_EQUAL(place_order(), 201);
  auto products = json::parse(get(shop + "/products").body, nullptr, false);
  CAF_CHECK(products.is_array() || products.is_object());
  int status = 0;
  auto faults = chaos("GET", "/chaos/faults", {}, &status);
  CAF_CHECK_EQUAL(status, 200);
  CAF_CHECK(faults.size() >= 15u);
}

CAF_TEST(crash kills shopd and it stays down) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"shopd-process", "shopd-health"}); }, 30s));
  // As the README shows it: through vigilctl.
  auto r = run_command({ctl_path(), "--json", "chaos", "inject", "crash"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  expect_symptom({"shopd-process"}, steady::now());
  CAF_CHECK_EQUAL(json::parse(r.out, nullptr, false).value("label", ""), "process_crash");
  CAF_CHECK(wait_until([] { return !healthy(); }, 2s));
  CAF_CHECK(wait_until([] { return service("shopd").value("signal", 0) == SIGKILL; }, 2s));
  // Nothing restarts it by itself: the crash stays visible.
  CAF_CHECK(!healthy());
  // The pidfd tells the probe the exit at once; the signal follows from the
  // service manager's record of it.
  CAF_CHECK(wait_until(
    [] { return contains(probe_results()["shopd-process"].value("detail", ""), "SIGKILL"); }, 2s));
  heal_shopd();
  expect_cleared({"shopd-process", "shopd-health"});
}

CAF_TEST(oom makes the kernel kill shopd under its memory limit) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"shopd-process"}); }, 30s));
  inject("oom", {{"params", {{"mb_per_second", 256}}}});
  expect_symptom({"shopd-process"}, steady::now());
  CAF_CHECK(wait_until([] { return !healthy(); }, 30s));
  CAF_CHECK(wait_until([] { return service("shopd").value("oom_killed", false); }, 5s));
  heal_shopd();
  expect_cleared({"shopd-process"});
}

CAF_TEST(db_auth shows as auth errors until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"target-db"}); }, 30s));
  auto id = inject("db_auth");
  expect_symptom({"target-db"}, steady::now());
  CAF_CHECK(contains(app_db_error(), "password authentication failed"));
  CAF_CHECK(wait_until([] { return !ready(); }, 10s));
  CAF_CHECK(contains(read_file(root + "/var/pg/target/postgres.log"),
                     "password authentication failed for user \"shop\""));
  revert(id);
  CAF_CHECK_EQUAL(app_db_error(), "");
  CAF_CHECK(wait_until(ready, 15s));
  expect_cleared({"target-db"});
}

CAF_TEST(disk_full makes order receipts fail with ENOSPC until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"shopd-disk"}); }, 30s));
  auto id = inject("disk_full");
  expect_symptom({"shopd-disk"}, steady::now());
  auto r = http::fetch("POST", shop + "/orders", R"({"sku": "mug-classic", "quantity": 1})",
                       {{"Content-Type", "application/json"}}, 15s);
  CAF_CHECK_EQUAL(r.status, 507);
  CAF_CHECK(contains(r.body, "No space left on device"));
  revert(id);
  CAF_CHECK_EQUAL(place_order(), 201);
  expect_cleared({"shopd-disk"});
}

CAF_TEST(db_down makes the shop unready until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"target-db"}); }, 30s));
  auto id = inject("db_down");
  expect_symptom({"target-db"}, steady::now());
  CAF_CHECK(contains(app_db_error(), "refused"));
  CAF_CHECK(wait_until([] { return !ready(); }, 10s));
  CAF_CHECK(place_order() >= 500 || place_order() == 0);
  revert(id);
  CAF_CHECK(wait_until(ready, 15s));
  CAF_CHECK_EQUAL(place_order(), 201);
  expect_cleared({"target-db"});
}

CAF_TEST(conn_exhaust refuses new connections until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"target-db"}); }, 30s));
  auto id = inject("conn_exhaust");
  // Both DB probes connect anew each time, directly and through the proxy.
  expect_symptom({"target-db", "dbproxy-db"}, steady::now());
  // A slot the probes free for a moment may go to this connection: retry.
  CAF_CHECK(wait_until(
    [] {
      auto err = app_db_error();
      return contains(err, "too many clients") || contains(err, "remaining connection slots");
    },
    3s));
  revert(id);
  CAF_CHECK(wait_until([] { return app_db_error().empty(); }, 5s));
  expect_cleared({"target-db", "dbproxy-db"});
}

CAF_TEST(lock makes order writes wait until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"target-db"}); }, 30s));
  auto id = inject("lock");
  expect_symptom({"target-db"}, steady::now());
  CAF_CHECK(place_order() != 201);
  revert(id);
  CAF_CHECK(wait_until([] { return place_order() == 201; }, 15s));
  expect_cleared({"target-db"});
}

CAF_TEST(latency slows every DB round trip until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"dbproxy-db"}); }, 30s));
  auto id = inject("latency", {{"params", {{"delay_ms", 700}, {"jitter_ms", 0}}}});
  expect_symptom({"dbproxy-db"}, steady::now());
  auto t0 = std::chrono::steady_clock::now();
  get(shop + "/orders", 30s);
  auto took = std::chrono::steady_clock::now() - t0;
  CAF_CHECK(took >= 700ms); // the measured symptom of the fault
  auto r = run_command({ctl_path(), "--json", "chaos", "revert", id});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(json::parse(r.out, nullptr, false).value("phase", ""), "revert");
  auto toxics = json::parse(get("http://127.0.0.1:5436/toxics").body, nullptr, false);
  CAF_CHECK_EQUAL(toxics.value("delay_ms", -1), 0);
  expect_cleared({"dbproxy-db"});
}

CAF_TEST(upstream_down fails the pricing upstream until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"pricingd-primary-health"}); }, 30s));
  auto id = inject("upstream_down", {{"params", {{"mode", "error"}}}});
  expect_symptom({"pricingd-primary-health"}, steady::now());
  CAF_CHECK_EQUAL(status_of("GET", "http://127.0.0.1:8090/prices"), 503);
  CAF_CHECK(wait_until([] { return !ready(); }, 10s));
  revert(id);
  CAF_CHECK_EQUAL(status_of("GET", "http://127.0.0.1:8090/prices"), 200);
  CAF_CHECK(wait_until(ready, 15s));
  expect_cleared({"pricingd-primary-health"});
}

CAF_TEST(cache_poison serves wrong prices until reverted) {
  auto list_price = [](const json& products) {
    // The first product's quoted price in cents.
    auto& items = products.is_array() ? products : products["products"];
    return items.empty() ? -1 : items[0].value("price_cents", -1);
  };
  auto before = list_price(json::parse(get(shop + "/products").body, nullptr, false));
  CAF_REQUIRE(wait_until([] { return probes_ok({"shopd-data"}); }, 30s));
  auto id = inject("cache_poison", {{"params", {{"factor", 10}}}});
  expect_symptom({"shopd-data"}, steady::now());
  auto during = list_price(json::parse(get(shop + "/products").body, nullptr, false));
  CAF_CHECK_EQUAL(during, before * 10);
  // The upstream itself is right again: only the cache is wrong.
  revert(id);
  CAF_CHECK_EQUAL(list_price(json::parse(get(shop + "/products").body, nullptr, false)), before);
  expect_cleared({"shopd-data"});
}

CAF_TEST(bad_config breaks the shop until the old config is back) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"shopd-ready"}); }, 30s));
  auto id = inject("bad_config", {{"params", {{"what", "db_port"}}}});
  expect_symptom({"shopd-ready"}, steady::now());
  CAF_CHECK(wait_until([] { return !ready(); }, 10s));
  revert(id);
  CAF_CHECK(wait_until(ready, 15s));
  CAF_CHECK_EQUAL(place_order(), 201);
  expect_cleared({"shopd-ready"});
}

CAF_TEST(schema_drift makes orders fail until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"target-db"}); }, 30s));
  auto id = inject("schema_drift");
  expect_symptom({"target-db"}, steady::now());
  CAF_CHECK(place_order() >= 500);
  revert(id);
  CAF_CHECK(wait_until([] { return place_order() == 201; }, 10s));
  expect_cleared({"target-db"});
}

CAF_TEST(data_loss deletes orders and the kill switch restores them) {
  // The synthetic traffic keeps placing orders, so this looks only at the
  // orders that existed before the inject (ids up to `last`), in the DB itself.
  auto shop_db = [](const std::string& query) {
    pqxx::connection c{"host=127.0.0.1 port=5433 dbname=shop user=shop connect_timeout=3 password="
                       + secret("shop-db-password")};
    pqxx::work tx{c};
    return tx.exec1(query)[0].as<int64_t>();
  };
  CAF_REQUIRE_EQUAL(place_order(), 201);
  auto last = shop_db("SELECT max(id) FROM orders");
  auto up_to_last = "SELECT count(*) FROM orders WHERE id <= " + std::to_string(last);
  auto before = shop_db(up_to_last);
  CAF_REQUIRE(before > 0);
  int status = 0;
  chaos("POST", "/break/data_loss", {{"params", {{"percent", 100}}}}, &status);
  CAF_CHECK_EQUAL(status, 403); // destructive: refused without approval
  CAF_CHECK_EQUAL(shop_db(up_to_last), before);
  CAF_REQUIRE(wait_until([] { return probes_ok({"target-db"}); }, 30s));
  inject("data_loss", {{"approve", true}, {"params", {{"percent", 100}}}});
  expect_symptom({"target-db"}, steady::now());
  CAF_CHECK_EQUAL(shop_db(up_to_last), 0);
  chaos("POST", "/break/stop");
  CAF_CHECK_EQUAL(shop_db(up_to_last), before);
  expect_cleared({"target-db"});
}

CAF_TEST(cpu_hog saturates the CPU until reverted) {
  CAF_REQUIRE(wait_until([] { return probes_ok({"host-cpu"}); }, 30s));
  auto id = inject("cpu_hog");
  expect_symptom({"host-cpu"}, steady::now());
  CAF_CHECK(wait_until([] { return cpu_busy() > 0.9; }, 10s));
  CAF_CHECK(hog_processes() > 0);
  revert(id);
  // Other load may keep the CPU busy; the hogs themselves must be gone.
  CAF_CHECK_EQUAL(hog_processes(), 0);
  // Other load on the host (parallel builds) may keep it saturated longer.
  expect_cleared({"host-cpu"}, 60s);
}

CAF_TEST(actor_kill is repaired by supervision) {
  auto restarts = [] {
    auto r = run_command({ctl_path(), "--json", "tree", "action-1"});
    auto trees = json::parse(r.out, nullptr, false);
    int n = -1;
    if (trees.is_array() && !trees.empty())
      for (auto& c : trees[0]["children"])
        if (c.value("path", "") == "action-1/membership")
          n = c.value("restarts", -1);
    return n;
  };
  auto before = restarts();
  CAF_REQUIRE(before >= 0);
  CAF_REQUIRE(wait_until([] { return probes_ok({"vigil-action-1"}); }, 30s));
  inject("actor_kill", {{"params", {{"actor", "action-1/membership"}}}});
  expect_symptom({"vigil-action-1"}, steady::now());
  CAF_CHECK(wait_until([&] { return restarts() == before + 1; }, 2s));
  expect_cleared({"vigil-action-1"});
}

CAF_TEST(node_kill takes a node down and it comes back when restarted) {
  auto status_of_node = [](const std::string& id) {
    auto r = run_command({ctl_path(), "--json", "nodes"});
    auto nodes = json::parse(r.out, nullptr, false);
    if (nodes.is_array())
      for (auto& n : nodes)
        if (n.value("id", "") == id)
          return n.value("status", "");
    return std::string{};
  };
  auto shopd_pid = service("shopd").value("pid", 0);
  CAF_REQUIRE(shopd_pid > 0);
  inject("node_kill", {{"params", {{"node", "action-1"}}}});
  CAF_CHECK(wait_until([&] { return status_of_node("action-1") == "down"; }, 3s));
  // Restarted as ./run starts it: up again, its services adopted, not doubled.
  auto started = run_command(
    {"/bin/sh", "-c",
     "cd '" + root + "' && setsid '" + std::string{VIGIL_BINARY}
       + "' node --config config/demo/action-probe.json >> var/demo/logs/action-probe.log 2>&1"
         " < /dev/null & echo $! > '" + root + "/var/demo/pids/action-probe.pid'"});
  CAF_REQUIRE_EQUAL(started.exit_code, 0);
  CAF_CHECK(wait_until([&] { return status_of_node("action-1") == "up"; }, 15s));
  CAF_CHECK(wait_until([&] { return service("shopd").value("pid", 0) == shopd_pid; }, 10s));
  CAF_CHECK(ready());
  // The probe node's probes run again (it is the node that was killed here).
  expect_cleared({"shopd-health", "target-db"});
}

CAF_TEST(node_kill of another node shows on its port probe until it is restarted) {
  // The chaos node kills itself on request; the probe node (action-1) watches.
  CAF_REQUIRE(wait_until([] { return probes_ok({"node-chaos-1"}); }, 30s));
  auto sent = steady::now();
  auto injected = sent;
  try {
    int status = 0;
    chaos("POST", "/break/node_kill", {{"params", {{"node", "chaos-1"}}}}, &status);
    CAF_CHECK_EQUAL(status, 201);
    injected = steady::now();
  } catch (const http::client_error& e) {
    // The node may die before its answer leaves: count from the request.
    CAF_MESSAGE("no answer from the dying chaos node: " << e.what());
  }
  expect_symptom({"node-chaos-1"}, injected);
  CAF_CHECK(probe_results()["node-chaos-1"].value("status", "") == "down");
  auto started = run_command(
    {"/bin/sh", "-c",
     "cd '" + root + "' && setsid '" + std::string{VIGIL_BINARY}
       + "' node --config config/demo/chaos.json >> var/demo/logs/chaos.log 2>&1"
         " < /dev/null & echo $! > '" + root + "/var/demo/pids/chaos.pid'"});
  CAF_REQUIRE_EQUAL(started.exit_code, 0);
  expect_cleared({"node-chaos-1"}, 15s);
  CAF_CHECK(wait_until([] { return status_of("GET", chaos_api + "/chaos/faults") == 401; }, 15s));
}

CAF_TEST(vigilctl refuses bad chaos requests and injects nothing) {
  CAF_CHECK_EQUAL(run_command({ctl_path(), "chaos", "inject"}).exit_code, 2);
  auto unknown = run_command({ctl_path(), "chaos", "inject", "no_such_fault"});
  CAF_CHECK_EQUAL(unknown.exit_code, 1);
  CAF_CHECK(contains(unknown.err, "unknown fault"));
  auto bad = run_command({ctl_path(), "chaos", "inject", "latency", "--param", "delay_ms=-5"});
  CAF_CHECK_EQUAL(bad.exit_code, 1);
  CAF_CHECK(contains(bad.err, "out of bounds"));
  CAF_CHECK_EQUAL(run_command({ctl_path(), "chaos", "inject", "data_loss"}).exit_code, 1);
  CAF_CHECK(chaos("GET", "/chaos/active").empty());
}

CAF_TEST(the kill switch reverts several active faults at once) {
  inject("latency", {{"params", {{"delay_ms", 50}}}});
  inject("upstream_down");
  inject("schema_drift");
  int status = 0;
  auto events = chaos("POST", "/break/stop", json::object(), &status);
  CAF_CHECK_EQUAL(status, 200);
  CAF_CHECK_EQUAL(events.size(), 3u);
  CAF_CHECK(chaos("GET", "/chaos/active").empty());
  CAF_CHECK(wait_until(ready, 15s));
  CAF_CHECK_EQUAL(place_order(), 201);
}

CAF_TEST_FIXTURE_SCOPE_END()
