// The second stack (`./run demo --stack proxy`): Debian's nginx in front of
// two shopd, Debian's pgbouncer between them and the target DB, onboarded by
// configuration alone (config/proxy/: its service model, services and
// policy; no runbook and no code of its own). Faults made by hand: one shopd
// of the two killed behind nginx, pgbouncer shut down (SIGTERM), nginx's
// whole process group stopped, pgbouncer's auth file and an nginx config
// with a wrong upstream, each edited and reloaded (rolled back to the config
// the service last started healthy on). Each is localised to the component
// that broke and fixed there. pgbouncer's client slots taken by bare TCP
// connections is localised to the pooler and escalated, nothing terminated.
#define CAF_SUITE proxy_stack_demo

#include <csignal>
#include <fstream>
#include <iterator>
#include <regex>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

demo_cluster& the_demo() {
  static demo_cluster d{root, VIGILCTL_BINARY, "proxy"};
  return d;
}

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  return {std::istreambuf_iterator<char>{in}, {}};
}

/// A process group stopped by the test is continued whatever happens.
struct continue_group_at_exit {
  pid_t group;
  ~continue_group_at_exit() { ::kill(-group, SIGCONT); }
};

/// Bare TCP connections to a port, closed whatever happens to the test.
struct held_connections {
  std::vector<int> fds;
  ~held_connections() { close_all(); }
  void close_all() {
    for (auto fd : fds)
      ::close(fd);
    fds.clear();
  }
  void open(uint16_t port, int n) {
    for (int i = 0; i < n; ++i) {
      auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
      CAF_REQUIRE(fd >= 0);
      fds.push_back(fd);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      CAF_REQUIRE_EQUAL(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
  }
};

} // namespace

CAF_TEST(the stack is the proxy stack and healthy) {
  auto& d = ready(the_demo());
  for (auto* name : {"nginx", "shopd-a", "shopd-b", "pgbouncer"})
    CAF_CHECK_EQUAL(d.service(name).value("state", ""), "running");
  CAF_CHECK(d.service("shopd").is_object() && d.service("shopd").empty());
  CAF_CHECK(d.service("dbproxy").empty());
}

CAF_TEST(one shopd of two killed behind nginx is started again and only it) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  auto pid = pid_of(d, "shopd-b");
  auto other = pid_of(d, "shopd-a");
  CAF_MESSAGE("kill -9 shopd-b (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(pid, SIGKILL), 0);
  auto x = handled(d, "shopd-b", since);
  check_fixed_on(x, "process_crash", "shopd-b", "start_service");
  CAF_CHECK_EQUAL(pid_of(d, "shopd-a"), other);
}

CAF_TEST(pgbouncer shut down by hand is an exit of the pooler and is started again) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  auto pid = pid_of(d, "pgbouncer");
  // SIGTERM: pgbouncer's own immediate shutdown, an exit rather than a kill.
  CAF_MESSAGE("kill -TERM pgbouncer (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(pid, SIGTERM), 0);
  auto x = handled(d, "pgbouncer", since);
  check_fixed_on(x, "process_crash", "pgbouncer", "start_service");
}

CAF_TEST(the pooler auth file edited by hand and reloaded is rolled back and nothing else) {
  auto& d = ready(the_demo());
  auto users = root + "/var/stack/pgbouncer/userlist.txt";
  auto good = read_text(users);
  CAF_REQUIRE(!good.empty());
  restore_at_exit guard{users, good};
  CAF_REQUIRE(wait_until([&] { return known_good(root, "pgbouncer", good, 1); }, 60s,
                         vigilctl_poll));
  auto shops = std::make_pair(pid_of(d, "shopd-a"), pid_of(d, "shopd-b"));
  auto pooler = pid_of(d, "pgbouncer");
  {
    // The app role's password in the pooler's auth file no longer matches.
    std::ofstream out{users, std::ios::trunc};
    out << "\"shop\" \"not-the-password\"\n";
  }
  auto since = now_unix_ms();
  CAF_MESSAGE("pgbouncer reload (SIGHUP to " << pooler << ") with a wrong auth file");
  CAF_REQUIRE_EQUAL(::kill(pooler, SIGHUP), 0);
  auto x = handled(d, "pgbouncer", since);
  check_fixed_on(x, "bad_config", "pgbouncer", "rollback_config");
  CAF_CHECK_EQUAL(read_text(users), good);
  // The shops failed with it but were healthy: left alone.
  CAF_CHECK_EQUAL(pid_of(d, "shopd-a"), shops.first);
  CAF_CHECK_EQUAL(pid_of(d, "shopd-b"), shops.second);
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(nginx stopped as a whole process group is hung and is restarted) {
  auto& d = ready(the_demo());
  auto since = now_unix_ms();
  auto pid = pid_of(d, "nginx");
  auto group = ::getpgid(pid);
  CAF_REQUIRE(group > 1);
  continue_group_at_exit guard{group};
  CAF_MESSAGE("kill -STOP -" << group << " (nginx master and workers)");
  CAF_REQUIRE_EQUAL(::kill(-group, SIGSTOP), 0);
  auto x = handled(d, "nginx", since);
  check_fixed_on(x, "process_hung", "nginx", "restart_service");
  CAF_CHECK_NOT_EQUAL(pid_of(d, "nginx"), pid);
}

CAF_TEST(an nginx config with a wrong upstream reloaded is rolled back and nothing else is touched) {
  auto& d = ready(the_demo());
  auto conf = root + "/var/stack/nginx/nginx.conf";
  auto good = read_text(conf);
  CAF_REQUIRE(!good.empty());
  restore_at_exit guard{conf, good};
  CAF_REQUIRE(wait_until([&] { return known_good(root, "nginx", good); }, 60s, vigilctl_poll));
  auto shops = std::make_pair(pid_of(d, "shopd-a"), pid_of(d, "shopd-b"));
  auto nginx = pid_of(d, "nginx");
  // Both upstream lines point at a port nothing listens on.
  auto bad = std::regex_replace(good, std::regex{"127\\.0\\.0\\.1:808[24]"}, "127.0.0.1:8099");
  CAF_REQUIRE(bad != good);
  {
    std::ofstream out{conf, std::ios::trunc};
    out << bad;
  }
  auto since = now_unix_ms();
  CAF_MESSAGE("nginx reload (SIGHUP to " << nginx << ") with a wrong upstream");
  CAF_REQUIRE_EQUAL(::kill(nginx, SIGHUP), 0);
  auto x = handled(d, "nginx", since);
  check_fixed_on(x, "bad_config", "nginx", "rollback_config");
  CAF_CHECK_EQUAL(read_text(conf), good);
  // The shops behind it were healthy and are left alone.
  CAF_CHECK_EQUAL(pid_of(d, "shopd-a"), shops.first);
  CAF_CHECK_EQUAL(pid_of(d, "shopd-b"), shops.second);
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(the pooler out of client slots is escalated and no session is terminated) {
  auto& d = ready(the_demo());
  auto shops = std::make_pair(pid_of(d, "shopd-a"), pid_of(d, "shopd-b"));
  auto pooler = pid_of(d, "pgbouncer");
  // Not the chaos plane's conn_exhaust (logins that hold the database's
  // slots): bare connections that never log in hold the pooler's client
  // slots (max_client_conn 200) until its login timeout; the database
  // itself keeps taking the same login.
  auto since = now_unix_ms();
  held_connections held;
  CAF_MESSAGE("250 bare connections to pgbouncer (127.0.0.1:6543)");
  held.open(6543, 250);
  auto x = handled(d, "pgbouncer", since);
  CAF_CHECK_EQUAL(x.value("state", ""), "escalated");
  auto h = acted_on(x);
  CAF_CHECK_EQUAL(h.value("root_cause", ""), "proxy_connection_exhaustion");
  CAF_CHECK_EQUAL(h.value("component", ""), "pgbouncer");
  // Checked again before deciding: refused through the pooler, taken at the
  // database (each followed by the probe's own words).
  auto confirmed = [&h](const std::string& what) {
    auto line = "confirmed now: " + what + " — ";
    for (auto& e : h["evidence_for"])
      if (e.get<std::string>().rfind(line, 0) == 0)
        return true;
    return false;
  };
  CAF_CHECK(confirmed("probe.pgbouncer.postgres.sqlstate_53300 above 0 (seen: 1)"));
  CAF_CHECK(confirmed("probe.target-db.postgres.status is ok (seen: ok)"));
  // No step: not the database's sessions, not the shops, not the pooler.
  CAF_CHECK(x["plan"].empty());
  CAF_CHECK_EQUAL(pid_of(d, "pgbouncer"), pooler);
  CAF_CHECK_EQUAL(pid_of(d, "shopd-a"), shops.first);
  CAF_CHECK_EQUAL(pid_of(d, "shopd-b"), shops.second);
  held.close_all();
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}
