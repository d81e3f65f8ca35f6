// What the demo tests of the agents check on an incident, with the CAF test
// macros: wait for the incident a fault opened and for its end, the
// hypothesis it acted on, the services its steps touched. Included by
// tests that run a demo (tests/agents/*_demo_test.cpp).
#pragma once

#include <csignal>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <sys/types.h>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/demo.hpp"

namespace vigil::test {

/// `d` healthy, with the agents acting and nothing open: each case starts
/// from there, whatever the one before it left.
inline demo_cluster& ready(demo_cluster& d) {
  CAF_REQUIRE(d.up);
  auto settled = d.settle(std::chrono::seconds(300));
  if (!settled)
    CAF_MESSAGE("not settled: " << d.vigilctl({"status"}).out << d.vigilctl({"incidents"}).out);
  CAF_REQUIRE(settled);
  return d;
}

inline pid_t pid_of(demo_cluster& d, const std::string& service) {
  auto pid = d.service(service).value("pid", 0);
  CAF_REQUIRE(pid > 0);
  return static_cast<pid_t>(pid);
}

/// The incident that names `service`, opened since `since`, once closed.
inline nlohmann::json handled(demo_cluster& d, const std::string& service, int64_t since) {
  nlohmann::json x;
  CAF_REQUIRE(wait_until([&] { return !(x = d.incident_of(service, since)).is_null(); },
                         std::chrono::seconds(90), vigilctl_poll));
  auto id = x.value("id", "");
  CAF_MESSAGE("incident " << id << " opened");
  x = d.closed_incident(id, std::chrono::seconds(300));
  if (x.is_null())
    CAF_MESSAGE("not closed: " << d.vigilctl({"incident", id}).out);
  CAF_REQUIRE(!x.is_null());
  CAF_MESSAGE(d.vigilctl({"incident", id}).out);
  return x;
}

/// The hypothesis the incident acted on (or escalated with).
inline nlohmann::json acted_on(const nlohmann::json& x) {
  auto& hs = x["hypotheses"];
  auto index = x.value("hypothesis_index", 0u);
  return index < hs.size() ? hs[index] : nlohmann::json::object();
}

/// Every service a step of the plan named, and the tools used.
inline std::set<std::string> step_targets(const nlohmann::json& x) {
  std::set<std::string> out;
  for (auto& s : x["plan"]) {
    auto args = nlohmann::json::parse(s.value("args", "{}"), nullptr, false);
    if (args.is_object() && args.contains("service"))
      out.insert(args["service"].get<std::string>());
  }
  return out;
}

/// Whether a step of `tool` (on `service`, unless empty) ran and was verified.
inline bool verified_step(const nlohmann::json& x, const std::string& tool,
                          const std::string& service = "") {
  for (auto& s : x.value("plan", nlohmann::json::array())) {
    auto args = nlohmann::json::parse(s.value("args", "{}"), nullptr, false);
    if (s.value("tool", "") == tool && s.value("state", "") == "verified"
        && (service.empty() || (args.is_object() && args.value("service", "") == service)))
      return true;
  }
  return false;
}

/// The incident was fixed where it broke: resolved, `root_cause` on
/// `component`, `tool` run on it and verified, and no step on another service.
inline void check_fixed_on(const nlohmann::json& x, const std::string& root_cause,
                           const std::string& component, const std::string& tool) {
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  auto h = acted_on(x);
  CAF_CHECK_EQUAL(h.value("root_cause", ""), root_cause);
  CAF_CHECK_EQUAL(h.value("component", ""), component);
  CAF_CHECK(verified_step(x, tool, component));
  CAF_CHECK_EQUAL(step_targets(x), (std::set<std::string>{component}));
}

/// The incident was escalated at once as `root_cause` (on `component`,
/// unless empty), with no step run: a failure mode with no safe fix.
inline void check_escalated_as(const nlohmann::json& x, const std::string& root_cause,
                               const std::string& component = "") {
  CAF_CHECK_EQUAL(x.value("state", ""), "escalated");
  auto h = acted_on(x);
  CAF_CHECK_EQUAL(h.value("root_cause", ""), root_cause);
  if (!component.empty())
    CAF_CHECK_EQUAL(h.value("component", ""), component);
  CAF_CHECK(x.value("plan", nlohmann::json::array()).empty());
}

/// Whether the service manager keeps `text` as `service`'s last known good
/// config file number `n` (var/stack/logs/config-history/SERVICE/good/N).
inline bool known_good(const std::string& root, const std::string& service,
                       const std::string& text, int n = 0) {
  std::ifstream in{root + "/var/stack/logs/config-history/" + service + "/good/"
                   + std::to_string(n)};
  std::string kept{std::istreambuf_iterator<char>{in}, {}};
  return in.good() || in.eof() ? kept == text : false;
}

/// A file put back as it was, whatever happens to the test.
struct restore_at_exit {
  std::string path;
  std::string text;
  ~restore_at_exit() {
    std::ofstream out{path, std::ios::trunc};
    out << text;
  }
};

/// A process that is alive but stopped must not outlive a failed test.
struct continue_at_exit {
  pid_t pid;
  ~continue_at_exit() { ::kill(pid, SIGCONT); }
};

} // namespace vigil::test
