// HTTP probe capacity on one core against a local endpoint, beside a baseline
// measured in the same run: a bare Beast synchronous GET loop with a new
// connection per request (what a blackbox-style prober does per check).
// The endpoint runs on the other core, so the probes' core does only probing.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <sched.h>

#include "actors/probes/probe.hpp"
#include "actors/probes/probe_actor.hpp"
#include "http/server.hpp"
#include "messages/announce.hpp"

using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

using clock_type = std::chrono::steady_clock;

void pin_this_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
    std::fprintf(stderr, "probe_bench: cannot pin to CPU %d\n", cpu);
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct rate {
  double per_second = 0;    ///< Checks per wall-clock second.
  double per_cpu_second = 0; ///< Checks per CPU second of the probing thread.
  uint64_t failures = 0;
};

template <class Check>
rate measure(std::chrono::milliseconds duration, Check check) {
  uint64_t n = 0;
  uint64_t failed = 0;
  auto cpu0 = thread_cpu_seconds();
  auto t0 = clock_type::now();
  auto end = t0 + duration;
  while (clock_type::now() < end) {
    if (!check())
      ++failed;
    ++n;
  }
  auto wall = std::chrono::duration<double>(clock_type::now() - t0).count();
  auto cpu = thread_cpu_seconds() - cpu0;
  return {static_cast<double>(n) / wall, cpu > 0 ? static_cast<double>(n) / cpu : 0, failed};
}

/// The baseline: connect, write, read, close; synchronous Beast, no deadline.
bool bare_beast_get(net::io_context& ioc, const tcp::endpoint& ep) {
  beast::tcp_stream stream{ioc};
  beast::error_code ec;
  stream.socket().connect(ep, ec);
  if (ec)
    return false;
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/healthz", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.keep_alive(false);
  bhttp::write(stream, req, ec);
  if (ec)
    return false;
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buf, res, ec);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return res.result_int() == 200;
}

vigil::probe_config http_probe_config(uint16_t port, bool keep_alive) {
  vigil::probe_config c;
  c.name = "bench";
  c.kind = "http";
  c.interval_ms = 0;
  c.timeout_ms = 1000;
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  c.keep_alive = keep_alive;
  return c;
}

/// Counts the results the probe actors report, as the manager would get them.
caf::behavior counter(caf::event_based_actor*, std::shared_ptr<std::atomic<uint64_t>> n) {
  return {
    [n](vigil::probes::report_atom, const vigil::probe_result&) { ++*n; },
    [](vigil::probes::report_atom, const std::string&, const std::vector<vigil::metric_sample>&) {},
  };
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTTP probe capacity on one core, beside a bare Beast loop"};
  int seconds = 3;
  int actors = 8;
  app.add_option("--seconds", seconds, "length of each measurement")->check(CLI::Range(1, 60));
  app.add_option("--actors", actors, "probe actors in the actor run")->check(CLI::Range(1, 256));
  CLI11_PARSE(app, argc, argv);
  auto duration = std::chrono::milliseconds{seconds * 1000};
  auto cores = std::thread::hardware_concurrency();
  // The endpoint's thread starts on the last core, the probes stay on core 0.
  pin_this_thread(cores > 1 ? static_cast<int>(cores) - 1 : 0);
  vigil::http::server server{vigil::http::server::options{}};
  server.route("GET", "/healthz", [](const vigil::http::request&, vigil::http::responder r) {
    r(vigil::http::response{200, "application/json", R"({"status": "alive"})", {}});
  });
  auto port = server.start();
  pin_this_thread(0);

  net::io_context ioc;
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port};
  auto baseline = measure(duration, [&] { return bare_beast_get(ioc, ep); });

  auto fresh = vigil::probes::make_probe(http_probe_config(port, false));
  auto fresh_rate = measure(duration, [&] {
    vigil::probe_result r;
    fresh->check(r);
    return r.status.empty() || r.status == "ok";
  });
  auto kept = vigil::probes::make_probe(http_probe_config(port, true));
  auto kept_rate = measure(duration, [&] {
    vigil::probe_result r;
    kept->check(r);
    return r.status.empty() || r.status == "ok";
  });

  // Whole probe actors (detached, one thread each, all on core 0), interval 0:
  // checks, results sent to a collector, next tick.
  double actor_rate = 0;
  {
    caf::actor_system_config cfg;
    vigil::announce_messages(cfg);
    caf::actor_system sys{cfg};
    auto n = std::make_shared<std::atomic<uint64_t>>(0);
    auto sink = sys.spawn(counter, n);
    std::vector<caf::actor> probes;
    for (int i = 0; i < actors; ++i)
      probes.push_back(vigil::probes::spawn_probe_actor(sys, http_probe_config(port, false),
                                                        [sink] { return sink; }));
    std::this_thread::sleep_for(200ms); // warm-up, outside the measured window
    auto n0 = n->load();
    auto t0 = clock_type::now();
    std::this_thread::sleep_for(duration); // the measuring window
    actor_rate = static_cast<double>(n->load() - n0)
                 / std::chrono::duration<double>(clock_type::now() - t0).count();
    for (auto& p : probes)
      caf::anon_send_exit(p, caf::exit_reason::kill);
    caf::anon_send_exit(sink, caf::exit_reason::kill);
  }

  std::printf("HTTP probe capacity, probes on 1 core, endpoint on another (%d s each)\n",
              seconds);
  std::printf("%-44s %12s %14s %9s\n", "", "checks/s", "checks/cpu-s", "failures");
  auto row = [](const char* what, const rate& r) {
    std::printf("%-44s %12.0f %14.0f %9llu\n", what, r.per_second, r.per_cpu_second,
                static_cast<unsigned long long>(r.failures));
  };
  row("baseline: bare Beast sync, new connection", baseline);
  row("vigil http probe check, new connection", fresh_rate);
  row("vigil http probe check, kept alive", kept_rate);
  std::printf("%-44s %12.0f\n",
              ("vigil probe actors x" + std::to_string(actors) + ", new connection").c_str(),
              actor_rate);
  std::printf("ratios to the baseline: check %.2f, kept alive %.2f, actors %.2f\n",
              fresh_rate.per_second / baseline.per_second,
              kept_rate.per_second / baseline.per_second, actor_rate / baseline.per_second);
  return 0;
}
