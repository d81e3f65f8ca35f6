// Perception's problems, as plain logic: a cascade is one problem, a
// problem ends after a quiet time, one back after quiet is sent again with
// only what fails now, an escalated one opens a new incident for a failure
// it has not reported.
#define CAF_SUITE problem_tracker

#include <caf/test/unit_test.hpp>

#include "actors/agents/problem_tracker.hpp"

using namespace vigil;
using namespace vigil::agents;

namespace {

probe_result result(const std::string& probe, const std::string& target,
                    const std::string& status, const std::string& detail) {
  probe_result r;
  r.probe = probe;
  r.kind = "http";
  r.target = target;
  r.status = status;
  r.detail = detail;
  return r;
}

/// The view with `probe` of `target` in `status` since `since`; a service
/// with a probe not ok is bad.
void see(probe_view& v, const std::string& probe, const std::string& target,
         const std::string& status, const std::string& detail, int64_t since) {
  v.latest[probe] = result(probe, target, status, detail);
  v.status_since[probe] = since;
  v.bad_services.clear();
  for (auto& [name, r] : v.latest)
    if (r.status != "ok")
      v.bad_services.insert(r.target);
}

bool mentions(const std::vector<std::string>& lines, const std::string& part) {
  for (auto& l : lines)
    if (l.find(part) != std::string::npos)
      return true;
  return false;
}

problem_settings settings() {
  problem_settings s;
  s.merge_window_ms = 30000;
  s.quiet_ms = 10000;
  s.new_failure_after_ms = 2000;
  return s;
}

} // namespace

CAF_TEST(a cascade is one problem and a later failure another) {
  problem_tracker t{settings()};
  probe_view v;
  see(v, "db", "db", "down", "refused", 1000);
  t.update(v, 1000);
  see(v, "api", "api", "degraded", "slow", 5000);
  t.update(v, 5000);
  CAF_REQUIRE_EQUAL(t.problems().size(), 1u);
  CAF_CHECK_EQUAL(t.problems().front().services, (std::set<std::string>{"api", "db"}));
  auto sent = t.take_unsent(v);
  CAF_REQUIRE(sent);
  CAF_CHECK_EQUAL(sent->first, "api");
  CAF_CHECK_EQUAL(sent->second.services.size(), 2u);
  CAF_CHECK(!t.take_unsent(v)); // nothing new
  CAF_CHECK(t.opened("api", "inc-1"));
  CAF_CHECK(!t.opened("api", "inc-1"));
  see(v, "cache", "cache", "down", "refused", 60000); // past the merge window
  t.update(v, 60000);
  CAF_CHECK_EQUAL(t.problems().size(), 2u);
}

CAF_TEST(a problem ends once its services are ok for the quiet time) {
  problem_tracker t{settings()};
  probe_view v;
  see(v, "api", "api", "down", "refused", 1000);
  t.update(v, 1000);
  t.take_unsent(v);
  t.opened("api", "inc-1");
  see(v, "api", "api", "ok", "", 2000);
  CAF_CHECK(t.update(v, 2000).empty());
  CAF_CHECK(t.update(v, 11999).empty());
  CAF_CHECK_EQUAL(t.update(v, 12000), (std::vector<std::string>{"inc-1"}));
  CAF_CHECK(t.problems().empty());
}

CAF_TEST(a problem back after quiet says only what fails now) {
  problem_tracker t{settings()};
  probe_view v;
  see(v, "api-health", "api", "down", "connection refused", 1000);
  t.update(v, 1000);
  auto first = t.take_unsent(v);
  CAF_REQUIRE(first);
  CAF_CHECK(mentions(first->second.symptoms, "connection refused"));
  t.opened("api", "inc-1");
  see(v, "api-health", "api", "ok", "", 2000);
  t.update(v, 2000);
  // Bad again before the problem ended, with another symptom.
  see(v, "api-ready", "api", "degraded", "readiness slow", 5000);
  t.update(v, 5000);
  auto again = t.take_unsent(v);
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(again->second.started_unix_ms, 5000);
  CAF_CHECK(mentions(again->second.symptoms, "readiness slow"));
  CAF_CHECK(!mentions(again->second.symptoms, "connection refused"));
}

CAF_TEST(an escalated problem opens a new incident for a failure it has not reported) {
  problem_tracker t{settings()};
  probe_view v;
  see(v, "db-login", "db", "down", "password authentication failed", 1000);
  t.update(v, 1000);
  t.take_unsent(v);
  t.opened("db", "inc-1");
  t.escalated("inc-1");
  // The same failure held: the human owns it, nothing new.
  t.update(v, 9000);
  CAF_CHECK(!t.take_unsent(v));
  // A new failure of the same service, held long enough: an incident of its own.
  see(v, "db-locks", "db", "degraded", "3 waiting locks", 10000);
  t.update(v, 11000);
  CAF_CHECK(!t.take_unsent(v)); // not held long enough yet
  t.update(v, 12000);
  auto fresh = t.take_unsent(v);
  CAF_REQUIRE(fresh);
  CAF_CHECK_EQUAL(fresh->second.started_unix_ms, 12000);
  CAF_CHECK(mentions(fresh->second.symptoms, "3 waiting locks"));
}

CAF_TEST(a problem the coordinator did not take is sent again) {
  problem_tracker t{settings()};
  probe_view v;
  see(v, "api", "api", "down", "refused", 1000);
  t.update(v, 1000);
  CAF_REQUIRE(t.take_unsent(v));
  CAF_CHECK(!t.take_unsent(v));
  t.not_taken("api");
  CAF_CHECK(t.take_unsent(v));
}
