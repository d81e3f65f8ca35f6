// Failure modes of any service on the real demo (`./run demo --detach`),
// with faults made by hand and made differently from the chaos catalogue's:
// a service the catalogue never breaks (the DB proxy) killed with SIGSEGV,
// shopd and a pricing service stopped with SIGSTOP (alive, answering
// nothing), a config that shopd refuses deployed by a restart (rolled back to
// the last config it was healthy on), the app's password file moved away,
// and two faults at once (a lock on orders held by an operator's statement
// while the pricing primary is killed): two causes, both fixed at once.
// Then what no fault of the catalogue does: the oldest orders deleted (the
// catalogue deletes at random, mostly recent ones), the data volume
// remounted read-only, INSERT on orders revoked from the app's role, and the
// role itself refused a login (NOLOGIN, not a changed password).
// Each must be localised to the right component and failure mode, fixed on
// that component only (no healthy component restarted), or escalated at once
// with the evidence when no safe fix exists.
#define CAF_SUITE failure_modes_demo

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <sys/types.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "messages/unix_time.hpp"
#include "tests/agents/demo_incidents.hpp"
#include "tests/support/demo.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using vigil::now_unix_ms;
using json = nlohmann::json;

namespace {

const std::string root = VIGIL_SOURCE_DIR;
const std::string pg_bin = "/usr/lib/postgresql/15/bin";

/// psql as the superuser over the target cluster's socket, as an operator
/// on the database host would; its output, or the test fails.
std::string psql(const std::string& sql) {
  auto r = run_command({pg_bin + "/psql", "-h", root + "/var/pg/target", "-p", "5433", "-U",
                        "postgres", "-d", "shop", "-v", "ON_ERROR_STOP=1", "-Atc", sql},
                       30s);
  if (r.exit_code != 0)
    CAF_FAIL("psql failed (" << r.exit_code << "): " << r.out << r.err);
  return r.out;
}

/// A statement that undoes a fault made by hand, run whatever the test did.
struct psql_at_exit {
  std::string sql;
  ~psql_at_exit() {
    run_command({pg_bin + "/psql", "-h", root + "/var/pg/target", "-p", "5433", "-U", "postgres",
                 "-d", "shop", "-Atc", sql},
                30s);
  }
};

demo_cluster& the_demo() {
  static demo_cluster d{root, VIGILCTL_BINARY};
  return d;
}

/// The incident on the target DB that `fault`, run with psql, opens; once closed.
json target_db_incident_after(demo_cluster& d, const std::string& fault) {
  auto since = now_unix_ms();
  CAF_MESSAGE(fault);
  psql(fault);
  return handled(d, "target-db", since);
}

} // namespace

CAF_TEST(the db proxy killed with SIGSEGV is a crash of the proxy and only it is started) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  auto pid = pid_of(d, "dbproxy");
  auto shopd = pid_of(d, "shopd");
  CAF_MESSAGE("kill -SEGV dbproxy (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(pid, SIGSEGV), 0);
  auto x = handled(d, "dbproxy", since);
  check_fixed_on(x, "process_crash", "dbproxy", "start_service");
  CAF_CHECK_EQUAL(d.service("dbproxy").value("state", ""), "running");
  CAF_CHECK_EQUAL(pid_of(d, "shopd"), shopd);
}

CAF_TEST(shopd stopped with SIGSTOP is hung not a slow database and is restarted) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  auto pid = pid_of(d, "shopd");
  auto proxy = pid_of(d, "dbproxy");
  continue_at_exit guard{pid};
  CAF_MESSAGE("kill -STOP shopd (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(pid, SIGSTOP), 0);
  auto x = handled(d, "shopd", since);
  check_fixed_on(x, "process_hung", "shopd", "restart_service");
  // A fresh process, and the healthy proxy left alone.
  CAF_CHECK_NOT_EQUAL(pid_of(d, "shopd"), pid);
  CAF_CHECK_EQUAL(pid_of(d, "dbproxy"), proxy);
}

CAF_TEST(a pricing service stopped with SIGSTOP is hung on that service) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  auto pid = pid_of(d, "pricingd-primary");
  continue_at_exit guard{pid};
  CAF_MESSAGE("kill -STOP pricingd-primary (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(pid, SIGSTOP), 0);
  auto x = handled(d, "pricingd-primary", since);
  check_fixed_on(x, "process_hung", "pricingd-primary", "restart_service");
  CAF_CHECK_NOT_EQUAL(pid_of(d, "pricingd-primary"), pid);
}

CAF_TEST(a config shopd refuses deployed by a restart is rolled back to the last good one) {
  auto& d = ready(the_demo());
  auto config = root + "/var/stack/shopd.json";
  std::string good;
  {
    std::ifstream in{config};
    good.assign(std::istreambuf_iterator<char>{in}, {});
  }
  CAF_REQUIRE(!good.empty());
  restore_at_exit guard{config, good};
  // The service manager knows this config as good once shopd proved healthy on it.
  CAF_REQUIRE(wait_until([&] { return known_good(root, "shopd", good); }, 60s, vigilctl_poll));
  auto since = now_unix_ms();
  auto bad = std::string{"{ \"db\": { \"host\": \"127.0.0.1\", "};
  {
    // Not JSON at all: shopd refuses to start (a deploy that went wrong).
    std::ofstream out{config, std::ios::trunc};
    out << bad;
  }
  CAF_MESSAGE("vigilctl service restart shopd with a broken config");
  auto restart = d.vigilctl({"service", "restart", "shopd"}, 60s);
  CAF_CHECK_NOT_EQUAL(restart.exit_code, 0);
  auto x = handled(d, "shopd", since);
  check_fixed_on(x, "bad_config", "shopd", "rollback_config");
  CAF_CHECK_EQUAL(d.service("shopd").value("state", ""), "running");
  CAF_CHECK(!d.service("shopd").value("config_changed", true));
  {
    std::ifstream in{config};
    CAF_CHECK_EQUAL(std::string(std::istreambuf_iterator<char>{in}, {}), good);
  }
  // The broken file is kept for whoever deployed it.
  bool kept = false;
  for (auto& entry : std::filesystem::directory_iterator{root + "/var/stack/logs/config-history/shopd"}) {
    std::ifstream in{entry.path().string() + "/0"};
    kept = kept || (entry.path().filename().string().rfind("replaced-", 0) == 0
                    && std::string(std::istreambuf_iterator<char>{in}, {}) == bad);
  }
  CAF_CHECK(kept);
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(the app password file removed by hand escalates as an unreadable secret) {
  auto& d = ready(the_demo());
  auto secret = root + "/var/secrets/shop-db-password";
  auto aside = secret + ".moved-by-test";
  auto restarts = d.service("shopd").value("restarts", -1);
  auto since = now_unix_ms();
  CAF_MESSAGE("mv " << secret << " aside");
  CAF_REQUIRE_EQUAL(::rename(secret.c_str(), aside.c_str()), 0);
  struct put_back {
    std::string from, to;
    ~put_back() { ::rename(from.c_str(), to.c_str()); }
  } guard{aside, secret};
  auto x = handled(d, "target-db", since);
  CAF_CHECK_EQUAL(x.value("state", ""), "escalated");
  auto h = acted_on(x);
  CAF_CHECK_EQUAL(h.value("root_cause", ""), "secret_unreadable");
  CAF_CHECK(x["plan"].empty());
  // Nothing was started or restarted while the file was gone.
  CAF_CHECK_EQUAL(d.service("shopd").value("restarts", -1), restarts);
  CAF_REQUIRE_EQUAL(::rename(aside.c_str(), secret.c_str()), 0);
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(a lock on orders and a killed pricing service at once are two causes fixed at once) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  // Not the chaos plane's idle transaction: an operator's statement that
  // takes an exclusive lock on orders and keeps running; and at the same
  // moment the pricing primary killed.
  child_process locker{{pg_bin + "/psql", "-h", root + "/var/pg/target", "-p", "5433", "-U",
                        "postgres", "-d", "shop", "-c",
                        "BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600);"},
                       root + "/var/demo/logs/handmade-lock.log"};
  auto pricing = pid_of(d, "pricingd-primary");
  CAF_MESSAGE("LOCK TABLE orders held by psql (pid " << locker.pid()
                                                     << "), kill -9 pricingd-primary (pid "
                                                     << pricing << ")");
  CAF_REQUIRE_EQUAL(::kill(pricing, SIGKILL), 0);
  json lock_fixed;
  json pricing_fixed;
  std::set<std::string> approved;
  auto both = wait_until(
    [&] {
      for (auto& x : d.ctl({"incidents", "--all"})) {
        if (x.value("opened_unix_ms", int64_t{0}) < since)
          continue;
        // Ending a session waits for a human (high risk): the on-call approves it.
        auto id = x.value("id", "");
        if (x.value("state", "") == "awaiting_approval" && approved.count(id) == 0) {
          auto a = d.pending_approval(id);
          if (a.is_object() && a.value("tool", "") == "terminate_blocking_sessions") {
            CAF_MESSAGE("approving " << a.value("id", "") << " of " << id);
            d.vigilctl({"approve", a.value("id", ""), "--as", "human:oncall"});
            approved.insert(id);
          }
        }
        if (verified_step(x, "terminate_blocking_sessions"))
          lock_fixed = x;
        if (verified_step(x, "start_service", "pricingd-primary")
            || verified_step(x, "restart_service", "pricingd-primary"))
          pricing_fixed = x;
      }
      return !lock_fixed.is_null() && !pricing_fixed.is_null();
    },
    240s, vigilctl_poll);
  for (auto& x : d.ctl({"incidents", "--all"}))
    if (x.value("opened_unix_ms", int64_t{0}) >= since)
      CAF_MESSAGE(d.vigilctl({"incident", x.value("id", "")}).out);
  CAF_REQUIRE(both);
  // Each cause was the first one tried where it was fixed: neither fix
  // waited for the other to fail to verify.
  CAF_CHECK_EQUAL(acted_on(lock_fixed).value("root_cause", ""), "db_lock_contention");
  CAF_CHECK_EQUAL(lock_fixed.value("hypothesis_index", 99), 0);
  CAF_CHECK_EQUAL(acted_on(pricing_fixed).value("component", ""), "pricingd-primary");
  CAF_CHECK_EQUAL(pricing_fixed.value("hypothesis_index", 99), 0);
  CAF_CHECK(wait_until([&] { return !locker.running(); }, 30s));
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(the oldest orders deleted by hand are found and restored) {
  auto& d = ready(the_demo());
  // Ids the traffic was told were committed, oldest first: enough of them
  // that the oldest are older than the newest 500 the probe looks at on
  // every check (its slices reach them within a few), and too few to move
  // the row count. The traffic acknowledges a few orders a second.
  std::vector<std::string> acked;
  auto enough = wait_until(
    [&] {
      acked.clear();
      std::ifstream in{root + "/var/demo/traffic-acked.txt"};
      for (std::string id; std::getline(in, id);)
        if (!id.empty())
          acked.push_back(id);
      return acked.size() > 560;
    },
    300s, 1s);
  CAF_REQUIRE(enough);
  std::string ids;
  for (size_t i = 0; i < 20; ++i)
    ids += (i ? "," : "") + acked[i];
  auto since = now_unix_ms();
  CAF_MESSAGE("DELETE FROM orders WHERE id IN (" << ids << ")");
  CAF_REQUIRE_EQUAL(psql("WITH gone AS (DELETE FROM orders WHERE id IN (" + ids
                         + ") RETURNING 1) SELECT count(*) FROM gone"),
                    "20\n");
  json x;
  CAF_REQUIRE(wait_until([&] { return !(x = d.incident_of("target-db", since)).is_null(); }, 90s,
                         vigilctl_poll));
  auto id = x.value("id", "");
  // Restoring rows is high risk: the on-call approves it.
  json a;
  CAF_REQUIRE(wait_until([&] { return (a = d.pending_approval(id)).is_object(); }, 120s,
                         vigilctl_poll));
  CAF_CHECK_EQUAL(a.value("tool", ""), "restore_snapshot");
  CAF_MESSAGE("approving " << a.value("id", "") << " of " << id);
  d.vigilctl({"approve", a.value("id", ""), "--as", "human:oncall"});
  x = handled(d, "target-db", since);
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_CHECK_EQUAL(acted_on(x).value("root_cause", ""), "data_loss");
  CAF_CHECK_EQUAL(acted_on(x).value("component", ""), "target-db");
  // The database itself says they are back.
  CAF_CHECK_EQUAL(psql("SELECT count(*) FROM orders WHERE id IN (" + ids + ")"), "20\n");
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(the data volume remounted read only is escalated with its error number and nothing is freed) {
  auto& d = ready(the_demo());
  auto volume = root + "/var/stack/shopd-data";
  auto restarts = d.service("shopd").value("restarts", -1);
  auto since = now_unix_ms();
  CAF_MESSAGE("mount -o remount,ro " << volume);
  auto remount = run_command({"/usr/bin/mount", "-o", "remount,ro", volume}, 30s);
  if (remount.exit_code != 0)
    CAF_FAIL("cannot remount " << volume << " read-only: " << remount.err);
  struct remount_at_exit {
    std::string path;
    ~remount_at_exit() { run_command({"/usr/bin/mount", "-o", "remount,rw", path}, 30s); }
  } guard{volume};
  auto x = handled(d, "shopd", since);
  check_escalated_as(x, "volume_not_writable", "shopd");
  CAF_CHECK_EQUAL(d.service("shopd").value("restarts", -1), restarts);
  CAF_REQUIRE_EQUAL(run_command({"/usr/bin/mount", "-o", "remount,rw", volume}, 30s).exit_code, 0);
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(insert on orders revoked from the app role is escalated as a privilege denied) {
  auto& d = ready(the_demo());
  psql_at_exit guard{"GRANT INSERT ON orders TO shop"};
  auto x = target_db_incident_after(d, "REVOKE INSERT ON orders FROM shop");
  check_escalated_as(x, "privilege_denied", "target-db");
  // Nothing was granted behind the humans' back.
  CAF_CHECK_EQUAL(psql("SELECT has_table_privilege('shop', 'orders', 'INSERT')"), "f\n");
  psql("GRANT INSERT ON orders TO shop");
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(the app role refused a login by hand is escalated and its password left alone) {
  auto& d = ready(the_demo());
  auto secret_before = d.secret("shop-db-password");
  psql_at_exit guard{"ALTER ROLE shop LOGIN"};
  auto x = target_db_incident_after(d, "ALTER ROLE shop NOLOGIN");
  check_escalated_as(x, "db_login_refused", "target-db");
  // A new password would not have helped: none was set.
  CAF_CHECK_EQUAL(d.secret("shop-db-password"), secret_before);
  psql("ALTER ROLE shop LOGIN");
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}
