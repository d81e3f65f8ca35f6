// Benchmarks of the foundation, each beside a baseline measured in the same
// run: message round trips and pipelined throughput between two processes
// (a real `vigil node` vs a bare CAF echo), and supervised restart latency
// (a Vigil supervisor vs a bare monitor-and-respawn loop).
#include <algorithm>
#include <chrono>
#include <future>
#include <cstdio>
#include <iostream>
#include <numeric>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "messages/admin.hpp"
#include "messages/announce.hpp"
#include "supervision/supervisor.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

struct bench_config : caf::actor_system_config {
  bench_config() {
    load<caf::io::middleman>();
    vigil::announce_messages(*this);
    // Nodes drop connections that stay silent past their connection timeout.
    set("middleman.heartbeat-interval", caf::timespan{100ms});
  }
};

struct stats {
  double p50_us = 0, p99_us = 0, mean_us = 0;
};

stats summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  stats s;
  s.p50_us = samples[samples.size() / 2];
  s.p99_us = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  s.mean_us = std::accumulate(samples.begin(), samples.end(), 0.0) / samples.size();
  return s;
}

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

/// Sequential request/response round trips with a blocking requester.
template <class Reply, class Handle, class... Ts>
stats round_trips(caf::actor_system& sys, Handle target, size_t n, Ts... request) {
  caf::scoped_actor self{sys};
  std::vector<double> samples;
  samples.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    self->request(target, 5s, request...)
      .receive([](const Reply&) {}, [](caf::error& e) { throw std::runtime_error(to_string(e)); });
    samples.push_back(micros(clock_type::now() - t0));
  }
  return summarize(samples);
}

/// Requests per second with `window` requests kept in flight by an
/// event-based pump (a blocking actor cannot pipeline).
template <class Reply, class Handle, class... Ts>
double throughput(caf::actor_system& sys, Handle target, size_t n, size_t window,
                  Ts... request) {
  auto done = std::make_shared<std::promise<bool>>();
  auto finished = done->get_future();
  auto t0 = clock_type::now();
  sys.spawn([=](caf::event_based_actor* pump) {
    auto sent = std::make_shared<size_t>(0);
    auto received = std::make_shared<size_t>(0);
    auto issue = std::make_shared<std::function<void()>>();
    *issue = [=] {
      ++*sent;
      pump->request(target, 10s, request...)
        .then(
          [=](const Reply&) {
            if (++*received == n) {
              done->set_value(true);
              pump->quit();
              *issue = nullptr; // break the self-reference
            } else if (*sent < n) {
              (*issue)();
            }
          },
          [=](caf::error&) {
            done->set_value(false);
            pump->quit();
          });
    };
    for (size_t i = 0; i < std::min(window, n); ++i)
      (*issue)();
  });
  if (finished.wait_for(120s) != std::future_status::ready || !finished.get())
    throw std::runtime_error("throughput run failed or timed out");
  return n / std::chrono::duration<double>(clock_type::now() - t0).count();
}

uint16_t read_port(const vigil::test::child_process& p) {
  uint16_t port = 0;
  bool ok = vigil::test::wait_until(
    [&] {
      auto log = vigil::test::read_file(p.log_path());
      auto at = log.find("port ");
      if (at == std::string::npos || log.find('\n', at) == std::string::npos)
        return false;
      port = static_cast<uint16_t>(std::stoi(log.substr(at + 5)));
      return true;
    },
    10s);
  if (!ok)
    throw std::runtime_error("peer did not start: " + p.log_path());
  return port;
}

// -- restart latency ----------------------------------------------------------

using alive_atom = caf::atom_constant<caf::atom("b_alive")>;

/// A child that reports once it runs, so "running" means it handled a message.
caf::behavior reporting_child(caf::event_based_actor* self, caf::actor observer) {
  self->send(observer, alive_atom::value, caf::actor_cast<caf::actor>(self));
  return {[](int) {}};
}

/// Kills the reporting child `n` times; each sample lasts from the kill until
/// the replacement reports in.
stats kill_and_time_restarts(caf::scoped_actor& self, size_t n) {
  caf::actor current;
  self->receive([&](alive_atom, caf::actor& a) { current = a; });
  std::vector<double> samples;
  for (size_t i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    self->send_exit(current, caf::exit_reason::kill);
    self->receive([&](alive_atom, caf::actor& a) { current = a; });
    samples.push_back(micros(clock_type::now() - t0));
  }
  return summarize(samples);
}

stats supervised_restarts(caf::actor_system& sys, size_t n) {
  caf::scoped_actor self{sys};
  caf::actor observer = self;
  vigil::supervision::supervisor_spec spec;
  spec.name = "bench";
  spec.intensity = n + 10; // never escalate during the run
  spec.period = 1s;
  vigil::supervision::child_spec child;
  child.id = "worker";
  child.start = [observer](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn(reporting_child, observer);
  };
  spec.children = {child};
  auto sup = vigil::supervision::spawn_supervisor(sys, spec);
  auto result = kill_and_time_restarts(self, n);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  return result;
}

/// Baseline: the least a supervisor can do — monitor, and respawn on down.
stats bare_respawns(caf::actor_system& sys, size_t n) {
  caf::scoped_actor self{sys};
  caf::actor observer = self;
  auto respawner = sys.spawn([observer](caf::event_based_actor* me) {
    auto start = [me, observer] { me->monitor(me->spawn(reporting_child, observer)); };
    me->set_down_handler([start](caf::down_msg&) { start(); });
    start();
    return caf::behavior{[](int) {}};
  });
  auto result = kill_and_time_restarts(self, n);
  self->send_exit(respawner, caf::exit_reason::kill);
  return result;
}

} // namespace

int run(int argc, char** argv) {
  CLI::App app{"Vigil foundation benchmarks: each result beside its baseline from the same run."};
  size_t rtt_n = 5000, tput_n = 100000, window = 64, restarts = 5000;
  bool as_json = false;
  app.add_option("--round-trips", rtt_n, "Sequential round trips per peer");
  app.add_option("--messages", tput_n, "Pipelined requests per peer");
  app.add_option("--window", window, "Requests in flight for the throughput runs");
  app.add_option("--restarts", restarts, "Kills per restart-latency run");
  app.add_flag("--json", as_json, "Print the results as JSON");
  CLI11_PARSE(app, argc, argv);

  auto dir = vigil::test::make_temp_dir("vigil-bench");
  auto node_port = vigil::test::free_port();
  vigil::test::write_file(dir + "/node.json",
                          json{{"id", "bench-1"}, {"port", node_port}, {"roles", {"control"}}}
                            .dump());
  std::cerr << "starting a vigil node and a bare CAF echo (logs in " << dir << ")\n";
  vigil::test::child_process node{{VIGIL_BINARY, "node", "--config", dir + "/node.json"},
                                  dir + "/node.log"};
  vigil::test::child_process echo{{BARE_ECHO_BINARY}, dir + "/echo.log"};

  bench_config cfg;
  caf::actor_system sys{cfg};
  auto echo_handle = sys.middleman().remote_actor("127.0.0.1", read_port(echo));
  std::optional<vigil::admin_actor> admin;
  vigil::test::wait_until(
    [&] {
      auto h = sys.middleman().remote_actor<vigil::admin_actor>("127.0.0.1", node_port);
      if (!h)
        return false;
      admin = *h;
      return true;
    },
    10s);
  if (!echo_handle || !admin) {
    std::cerr << "cannot reach the peers; see " << dir << "\n";
    return 1;
  }
  vigil::registry_actor registry;
  {
    caf::scoped_actor self{sys};
    self->request(*admin, 5s, vigil::join_atom::value)
      .receive([&](vigil::registry_actor& r) { registry = r; }, [](caf::error&) {});
  }
  // Heartbeats need a registered node id; register ourselves as one.
  {
    caf::scoped_actor self{sys};
    vigil::node_registration reg{"bench-client", "127.0.0.1", 1, {"probe"}, 1, {}};
    self->request(registry, 5s, vigil::register_atom::value, reg)
      .receive([](std::string&) {}, [](caf::error&) {});
  }

  std::cerr << "round trips...\n" << std::flush;
  auto bare_rtt = round_trips<int32_t>(sys, *echo_handle, rtt_n, int32_t{42});
  auto ping_rtt = round_trips<std::string>(sys, *admin, rtt_n, vigil::ping_atom::value);
  auto beat_rtt = round_trips<bool>(sys, registry, rtt_n, vigil::heartbeat_atom::value,
                              std::string{"bench-client"});
  std::cerr << "throughput...\n";
  auto bare_tput = throughput<int32_t>(sys, *echo_handle, tput_n, window, int32_t{42});
  auto ping_tput = throughput<std::string>(sys, *admin, tput_n, window, vigil::ping_atom::value);
  auto beat_tput = throughput<bool>(sys, registry, tput_n, window, vigil::heartbeat_atom::value,
                              std::string{"bench-client"});
  std::cerr << "restart latency...\n";
  auto bare_restart = bare_respawns(sys, restarts);
  auto sup_restart = supervised_restarts(sys, restarts);

  json out{
    {"round_trip_us",
     {{"bare_caf_echo", {{"p50", bare_rtt.p50_us}, {"p99", bare_rtt.p99_us}}},
      {"vigil_admin_ping", {{"p50", ping_rtt.p50_us}, {"p99", ping_rtt.p99_us}}},
      {"vigil_registry_heartbeat", {{"p50", beat_rtt.p50_us}, {"p99", beat_rtt.p99_us}}}}},
    {"throughput_per_s",
     {{"bare_caf_echo", bare_tput}, {"vigil_admin_ping", ping_tput},
      {"vigil_registry_heartbeat", beat_tput}}},
    {"restart_latency_us",
     {{"bare_monitor_respawn", {{"p50", bare_restart.p50_us}, {"p99", bare_restart.p99_us}}},
      {"vigil_supervisor", {{"p50", sup_restart.p50_us}, {"p99", sup_restart.p99_us}}}}},
    {"params", {{"round_trips", rtt_n}, {"messages", tput_n}, {"window", window},
                {"restarts", restarts}}}};
  if (as_json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  auto row = [](const char* what, const stats& s, const stats& base) {
    std::printf("| %-40s | %8.1f | %8.1f | %5.2fx |\n", what, s.p50_us, s.p99_us,
                s.p50_us / base.p50_us);
  };
  std::printf("Round trips between two processes over loopback (us; ratio of p50 to the baseline)\n\n");
  std::printf("| %-40s | %8s | %8s | %6s |\n|---|---:|---:|---:|\n", "request", "p50", "p99", "ratio");
  row("bare CAF echo (int32) (baseline)", bare_rtt, bare_rtt);
  row("vigil admin ping (typed, string reply)", ping_rtt, bare_rtt);
  row("vigil registry heartbeat (typed, bool)", beat_rtt, bare_rtt);
  std::printf("\nPipelined throughput, %zu in flight (requests/s; ratio to the baseline)\n\n", window);
  std::printf("| %-40s | %10s | %6s |\n|---|---:|---:|\n", "request", "per s", "ratio");
  auto trow = [&](const char* what, double v) {
    std::printf("| %-40s | %10.0f | %5.2fx |\n", what, v, v / bare_tput);
  };
  trow("bare CAF echo (int32) (baseline)", bare_tput);
  trow("vigil admin ping", ping_tput);
  trow("vigil registry heartbeat", beat_tput);
  std::printf("\nRestart latency, kill -> replacement handled a message (us)\n\n");
  std::printf("| %-40s | %8s | %8s | %6s |\n|---|---:|---:|---:|\n", "restarter", "p50", "p99", "ratio");
  row("bare monitor + respawn (baseline)", bare_restart, bare_restart);
  row("vigil supervisor (one_for_one)", sup_restart, bare_restart);
  return 0;
}

int main(int argc, char** argv) {
  // Errors unwind through run(), so the peer processes are stopped.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "vigil_bench: " << e.what() << "\n";
    return 1;
  }
}
