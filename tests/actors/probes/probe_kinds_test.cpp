// Each probe kind against real local peers: an HTTP server, a TCP listener,
// a folder, a log file that rotates, a /metrics page, a child process killed
// with a real signal, and the CPU of this host.
#define CAF_SUITE probe_kinds

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/test/unit_test.hpp>

#include <arpa/inet.h>
#include <sys/mount.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/probes/probe.hpp"
#include "actors/probes/probe_actor.hpp"
#include "actors/probes/probe_manager.hpp"
#include "actors/probes/prometheus_text.hpp"
#include "actors/services/detail/proc.hpp"
#include "actors/services/state_file.hpp"
#include "http/server.hpp"
#include "messages/announce.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::probes;
using vigil::test::wait_until;

namespace {

probe_result run(probe& p) {
  probe_result r;
  r.probe = p.config().name;
  p.check(r);
  if (r.status.empty())
    r.status = "ok";
  return r;
}

probe_config base(const std::string& kind) {
  probe_config c;
  c.name = "t-" + kind;
  c.kind = kind;
  c.target = "t";
  c.interval_ms = 200;
  c.timeout_ms = 300;
  return c;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A TCP listener on a free port that accepts and holds connections.
struct listener {
  int fd = -1;
  uint16_t port = 0;
  listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~listener() { ::close(fd); }
};

struct web {
  http::server server{http::server::options{}};
  uint16_t port = 0;
  std::atomic<int> status{200};
  std::atomic<int> delay_ms{0};
  std::string metrics_page;
  std::mutex mtx;
  std::vector<std::thread> late;

  web() {
    server.route("GET", "/healthz", [this](const http::request&, http::responder respond) {
      auto delay = delay_ms.load();
      auto res = http::response{status.load(), "application/json", R"({"status": "alive"})", {}};
      if (delay == 0) {
        respond(res);
        return;
      }
      std::lock_guard<std::mutex> guard{mtx};
      // A deliberately slow server, answering from another thread.
      late.emplace_back([respond, res, delay] {
        std::this_thread::sleep_for(std::chrono::milliseconds{delay});
        respond(res);
      });
    });
    server.route("GET", "/metrics", [this](const http::request&, http::responder respond) {
      std::lock_guard<std::mutex> guard{mtx};
      respond(http::text(200, metrics_page));
    });
    port = server.start();
  }
  ~web() {
    server.stop();
    for (auto& t : late)
      t.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
};

} // namespace

CAF_TEST(http sees status and body and slowness and silence) {
  web w;
  auto cfg = base("http");
  cfg.url = w.url("/healthz");
  cfg.json_pointer = "/status";
  cfg.json_equals = "alive";
  cfg.slow_ms = 100;
  auto p = make_probe(cfg);
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(r.values["status_code"], 200);
  w.status = 503;
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "HTTP 503"));
  w.status = 200;
  w.delay_ms = 150;
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "degraded");
  CAF_CHECK(has(r.detail, "slow"));
  w.delay_ms = 1000;
  auto t0 = std::chrono::steady_clock::now();
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "timed out"));
  CAF_CHECK(std::chrono::steady_clock::now() - t0 < 800ms); // bounded by the timeout
  cfg.json_equals = "dead";
  w.delay_ms = 0;
  auto q = make_probe(cfg);
  r = run(*q);
  CAF_CHECK_EQUAL(r.status, "degraded");
  CAF_CHECK(has(r.detail, "/status is alive"));
  cfg.url = "http://127.0.0.1:" + std::to_string(vigil::test::free_port()) + "/";
  r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "refused"));
}

CAF_TEST(http keeps one connection alive when asked) {
  web w;
  auto cfg = base("http");
  cfg.url = w.url("/healthz");
  cfg.keep_alive = true;
  auto p = make_probe(cfg);
  for (int i = 0; i < 5; ++i)
    CAF_CHECK_EQUAL(run(*p).status, "ok");
}

CAF_TEST(tcp sees a listener and a closed port) {
  listener l;
  auto cfg = base("tcp");
  cfg.address = "127.0.0.1:" + std::to_string(l.port);
  auto r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(r.values["up"], 1);
  cfg.address = "127.0.0.1:" + std::to_string(vigil::test::free_port());
  r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "refused"));
  CAF_CHECK_EQUAL(r.values["errno"], ECONNREFUSED);
}

CAF_TEST(disk reports free space and thresholds) {
  auto dir = vigil::test::make_temp_dir("vigil-probe-disk");
  auto cfg = base("disk");
  cfg.path = dir;
  auto r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK(r.values["free_bytes"] > 0);
  CAF_CHECK(r.values["free_inodes"] > 0);
  cfg.min_free_mb = 1ull << 40; // more than any test disk has
  r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "MiB free"));
  cfg.min_free_mb = 0;
  cfg.path = dir + "/missing";
  r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "down");
  std::filesystem::remove_all(dir);
}

CAF_TEST(disk is down when its folder cannot be written although it has room) {
  // A tmpfs of our own, remounted read-only as the kernel does after I/O
  // errors: room left, no write possible.
  auto dir = vigil::test::make_temp_dir("vigil-probe-disk-ro");
  if (::mount("vigil-probe-test", dir.c_str(), "tmpfs", 0, "size=1m") != 0)
    CAF_FAIL("cannot mount a tmpfs on " << dir << " (" << std::strerror(errno)
                                        << "): this test needs root, as the demo does");
  auto cfg = base("disk");
  cfg.path = dir;
  auto p = make_probe(cfg);
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK(r.values.count("write_errno") == 0);
  CAF_REQUIRE_EQUAL(::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, "size=1m"), 0);
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK_EQUAL(r.values["write_errno"], EROFS);
  CAF_CHECK(has(r.detail, "cannot write in " + dir + ": Read-only file system"));
  CAF_CHECK(r.values["free_bytes"] > 0);
  ::umount2(dir.c_str(), MNT_DETACH);
  std::filesystem::remove_all(dir);
}

CAF_TEST(log counts patterns per window across rotation and truncation) {
  auto dir = vigil::test::make_temp_dir("vigil-probe-log");
  auto path = dir + "/app.log";
  vigil::test::write_file(path, "old error before the probe started\n");
  auto cfg = base("log");
  cfg.path = path;
  cfg.window_ms = 60000;
  cfg.patterns = {{"errors", "\\berror\\b", 1}};
  auto p = make_probe(cfg);
  auto append = [&](const std::string& text) {
    auto f = std::fopen(path.c_str(), "a");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok"); // history is not news
  CAF_CHECK_EQUAL(r.values["errors"], 0);
  append("GET / 200\nan error here\n");
  r = run(*p);
  CAF_CHECK_EQUAL(r.values["errors"], 1);
  CAF_CHECK_EQUAL(r.status, "ok"); // max is 1
  // Rotation: the old file moves away, its last line still counts.
  append("error written just before rotation\n");
  std::filesystem::rename(path, path + ".1");
  vigil::test::write_file(path, "error in the new file\n");
  r = run(*p);
  CAF_CHECK_EQUAL(r.values["errors"], 3);
  CAF_CHECK_EQUAL(r.status, "degraded");
  CAF_CHECK(has(r.detail, "errors"));
  CAF_CHECK_EQUAL(r.values["reopened"], 1);
  // Truncation in place: read again from the top.
  vigil::test::write_file(path, "");
  append("error after truncation\n");
  r = run(*p);
  CAF_CHECK_EQUAL(r.values["errors"], 4);
  std::filesystem::remove_all(dir);
}

CAF_TEST(prometheus text parses names and labels and special values) {
  size_t bad = 0;
  auto samples = parse_prometheus_text("# HELP x y\n# TYPE x counter\nx 1\n"
                                       "y{a=\"b c\",d=\"}\"} 2.5 1700000000\nz NaN\n"
                                       "broken\n\nw +Inf\n",
                                       bad);
  CAF_REQUIRE_EQUAL(samples.size(), 4u);
  CAF_CHECK_EQUAL(samples[0].series, "x");
  CAF_CHECK_EQUAL(samples[1].series, "y{a=\"b c\",d=\"}\"}");
  CAF_CHECK_EQUAL(samples[1].name, "y");
  CAF_CHECK_EQUAL(samples[1].value, 2.5);
  CAF_CHECK_EQUAL(bad, 1u);
}

CAF_TEST(metrics keeps series and flags a watched counter that rose) {
  web w;
  w.metrics_page = "restarts_total{path=\"a\"} 1\nother 7\n";
  auto cfg = base("metrics");
  cfg.url = w.url("/metrics");
  cfg.service = "svc";
  cfg.alert_on_increase = {"restarts_total"};
  cfg.window_ms = 60000;
  auto p = make_probe(cfg);
  auto r = run(*p);
  CAF_CHECK_EQUAL(r.status, "ok");
  CAF_CHECK_EQUAL(p->samples().size(), 2u);
  {
    std::lock_guard<std::mutex> guard{w.mtx};
    w.metrics_page = "restarts_total{path=\"a\"} 2\nother 9\n";
  }
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "degraded");
  CAF_CHECK(has(r.detail, "restarts_total{path=\"a\"} rose from 1.0 to 2.0"));
  CAF_CHECK_EQUAL(p->samples().at(1).value, 9);
  w.server.stop();
  r = run(*p);
  CAF_CHECK_EQUAL(r.status, "down");
}

CAF_TEST(host reads the CPU) {
  auto cfg = base("host");
  auto p = make_probe(cfg);
  auto r = run(*p);
  CAF_CHECK(r.values.count("cpu_busy") == 1);
  CAF_CHECK(r.values["cpu_busy"] >= 0 && r.values["cpu_busy"] <= 1);
  cfg.max_cpu_busy = -1; // anything is too busy...
  cfg.max_cpu_pressure = -1;
  r = run(*make_probe(cfg));
  CAF_CHECK_EQUAL(r.status, "degraded"); // ...so it says saturated
}

namespace {

/// The service manager's state file with one running service, as it writes it.
void write_state(const std::string& path, const std::string& name, pid_t pid,
                 const std::string& state = "running", int sig = 0) {
  services::saved_service s;
  s.status.name = name;
  s.status.state = state;
  s.status.pid = pid;
  s.status.signal = sig;
  s.process.pid = pid;
  if (auto st = services::detail::read_proc_stat(pid))
    s.process.start_ticks = st->start_ticks;
  CAF_REQUIRE_EQUAL(services::write_state_file(path, {{name, s}}), "");
}

} // namespace

CAF_TEST(host tells CPU burnt outside the stack from CPU burnt by a stack service) {
  auto dir = vigil::test::make_temp_dir("vigil-probe-outside");
  auto state = dir + "/services.json";
  vigil::test::child_process spinner{{"/bin/sh", "-c", "while :; do :; done"},
                                     dir + "/spin.log"};
  auto named = "pid " + std::to_string(spinner.pid());
  auto cfg = base("host");
  cfg.state_file = state;
  cfg.max_cpu_busy = -1; // always busy enough to look at who burns it
  // Not one of the stack's services: its CPU counts as outside, and it is named.
  write_state(state, "other", ::getpid());
  auto p = make_probe(cfg);
  probe_result r;
  CAF_CHECK(wait_until([&] {
    r = run(*p);
    // Most of what processes burn is the spinner's.
    return r.values["outside_cpu_percent"] >= 50 && has(r.detail, named)
           && r.values["outside_cpu_share"] > 0.5 && r.values["outside_cpu_share"] <= 1;
  }, 10s));
  CAF_CHECK(has(r.detail, "outside the stack"));
  // The same process as a stack service: never counted, never named.
  write_state(state, "spinner", spinner.pid());
  for (int i = 0; i < 3; ++i) {
    r = run(*p);
    CAF_REQUIRE(r.values.count("outside_cpu_percent") == 1);
    CAF_CHECK(!has(r.detail, named));
    CAF_CHECK_LESS(r.values["outside_cpu_share"], 0.5);
  }
  // Without the state file nothing can be told: no value rather than a guess.
  auto blind = base("host");
  blind.max_cpu_busy = -1;
  auto q = make_probe(blind);
  CAF_CHECK(run(*q).values.count("outside_cpu_percent") == 0);
  // Below its bar the host is not saturated: the process table is not
  // read, so no share is told (the spinner still spins).
  auto quiet = cfg;
  quiet.max_cpu_busy = 1.0;
  auto s = make_probe(quiet);
  CAF_CHECK(run(*s).values.count("outside_cpu_percent") == 0);
  std::filesystem::remove_all(dir);
}

CAF_TEST(process notices a killed child within milliseconds and not at the next poll) {
  auto dir = vigil::test::make_temp_dir("vigil-probe-process");
  auto state = dir + "/services.json";
  vigil::test::child_process child{{"/bin/sleep", "60"}, dir + "/sleep.log"};
  write_state(state, "sleeper", child.pid());
  caf::actor_system_config cfg;
  announce_messages(cfg);
  caf::actor_system sys{cfg};
  auto manager = spawn_probe_manager(sys, {"n1", nullptr, 5000});
  auto pc = base("process");
  pc.service = "sleeper";
  pc.state_file = state;
  pc.interval_ms = 10000; // polls rarely: the exit must come from the pidfd
  auto probe_actor = spawn_probe_actor(sys, pc, [manager] { return manager; });
  caf::scoped_actor self{sys};
  auto latest = [&] {
    probe_result out;
    self->request(caf::actor_cast<probe_manager_actor>(manager), 2s, probes_atom::value)
      .receive([&](std::vector<probe_result>& rs) {
        if (!rs.empty())
          out = rs.front();
      },
      [](caf::error&) {});
    return out;
  };
  CAF_REQUIRE(wait_until([&] { return latest().status == "ok"; }, 5s));
  CAF_CHECK(latest().values["rss_bytes"] > 0);
  auto killed_at = std::chrono::steady_clock::now();
  child.signal(SIGKILL);
  CAF_CHECK(wait_until([&] { return latest().status == "down"; }, 1s));
  auto noticed = std::chrono::steady_clock::now() - killed_at;
  CAF_CHECK(noticed < 1s); // ten times sooner than the poll interval
  auto r = latest();
  CAF_CHECK(has(r.detail, "ended"));
  CAF_CHECK(has(r.detail, "SIGKILL"));
  // The manager then records it; the probe reads the state file's words.
  write_state(state, "sleeper", child.pid(), "killed", SIGKILL);
  child.wait_exit(5s);
  self->send_exit(probe_actor, caf::exit_reason::user_shutdown);
  self->send_exit(manager, caf::exit_reason::user_shutdown);
  auto direct = make_probe(pc);
  r = run(*direct);
  CAF_CHECK_EQUAL(r.status, "down");
  CAF_CHECK(has(r.detail, "killed"));
  CAF_CHECK(has(r.detail, "signal 9"));
  std::filesystem::remove_all(dir);
}

CAF_TEST(process sees memory growing fast) {
  auto dir = vigil::test::make_temp_dir("vigil-probe-rss");
  auto state = dir + "/services.json";
  // A child that takes 20 MiB every 50 ms for a second, then waits.
  vigil::test::child_process child{
    {"/usr/bin/python3", "-c",
     "import time\nb = []\nfor i in range(20):\n  b.append(b'x' * (20 << 20))\n"
     "  time.sleep(0.05)\ntime.sleep(60)"},
    dir + "/hog.log"};
  write_state(state, "hog", child.pid());
  auto pc = base("process");
  pc.service = "hog";
  pc.state_file = state;
  pc.max_rss_growth_mb_per_s = 50;
  auto p = make_probe(pc);
  auto first = run(*p);
  CAF_CHECK_EQUAL(first.values["up"], 1);
  CAF_CHECK(wait_until([&] { return run(*p).status == "degraded"; }, 5s));
  std::filesystem::remove_all(dir);
}
