// The demo cluster as tests drive it, like an operator would: started with
// `./run demo --detach` and stopped at the end, vigilctl's replies as JSON,
// and the moves the demo tests share (clear what earlier runs left behind,
// find the incident a fault opened).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace vigil::test {

/// How often a condition read through vigilctl is polled: every read is a
/// process and a CAF node of its own, and polling every 20 ms kept a core
/// busy, enough to make the demo's host probe see the CPU saturated.
constexpr std::chrono::milliseconds vigilctl_poll{250};

class demo_cluster {
public:
  /// Stops any demo left running, then starts one from `source_dir` with
  /// the stack `stack` (basic or proxy, docs/STACKS.md); `up` says whether
  /// it came up (the output is on stderr when not).
  demo_cluster(std::string source_dir, std::string vigilctl_binary,
               std::string stack = "basic");
  ~demo_cluster(); // ./run stop
  demo_cluster(const demo_cluster&) = delete;
  demo_cluster& operator=(const demo_cluster&) = delete;

  bool up = false;

  const std::string& root() const { return root_; }

  /// vigilctl with `args`, its output captured.
  command_result vigilctl(std::vector<std::string> args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  /// vigilctl --json with `args`; a discarded value when the reply is not JSON.
  nlohmann::json ctl(std::vector<std::string> args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  /// The value of var/secrets/NAME, without its trailing newline.
  std::string secret(const std::string& name) const;

  /// Every service on the status board is ok.
  bool all_healthy() const;

  /// One service as `vigilctl services` lists it ({} when unknown).
  nlohmann::json service(const std::string& name) const;

  /// The newest incident open at or after `since_ms` that names `service`:
  /// opened since, or opened just before and still open (a problem that
  /// began since may join it). Null when none.
  nlohmann::json incident_of(const std::string& service, int64_t since_ms) const;

  /// The incident `id` once it is resolved or escalated (null on timeout).
  nlohmann::json closed_incident(const std::string& id, std::chrono::milliseconds timeout) const;

  /// The pending approval of incident `id` (null until there is one).
  nlohmann::json pending_approval(const std::string& incident) const;

  /// What earlier runs left in the ops store is cleared as an operator
  /// would: agents resumed, approvals that wait rejected, then no open
  /// incident and a healthy stack within `timeout`.
  bool settle(std::chrono::milliseconds timeout) const;

  /// The pid a demo node was started with (var/demo/pids/NAME.pid), or 0.
  int node_pid(const std::string& name) const;

private:
  std::string root_;
  std::string vigilctl_;
};

/// The demo with its agents paused, for tests of what breaks and what
/// repairs it by hand: the agents detect, but must not act in between (an
/// incident an earlier test left open would otherwise be driven on). The
/// pause is kept in the ops store, so it is lifted again before the demo
/// stops: the next demo acts.
struct paused_demo {
  paused_demo(std::string source_dir, std::string vigilctl_binary);
  ~paused_demo();
  demo_cluster cluster;
};

} // namespace vigil::test
