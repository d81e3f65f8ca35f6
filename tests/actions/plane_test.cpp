// The action plane with a real ops store: idempotency, refusals (audited,
// nothing run), approvals, restart intensity, a lost store, reconciliation.
#define CAF_SUITE plane
#include <caf/test/unit_test.hpp>

#include <thread>

#include <caf/scoped_actor.hpp>

#include "tests/actions/action_rig.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

size_t count_rows(const std::vector<audit_record>& rows, const std::string& key,
                  const std::string& phase) {
  size_t n = 0;
  for (auto& r : rows)
    if (r.idempotency_key == key && r.phase == phase)
      ++n;
  return n;
}

const audit_record* find_row(const std::vector<audit_record>& rows, const std::string& key,
                             const std::string& phase) {
  for (auto& r : rows)
    if (r.idempotency_key == key && r.phase == phase)
      return &r;
  return nullptr;
}

} // namespace

CAF_TEST(a key runs once and a repeated request gets the first result) {
  action_rig rig{{fresh_ops_store()}};
  auto pid = rig.services().pid_of("shopd");
  action_result first;
  auto req = make_request("restart_service", {{"service", "shopd"}}, "inc-1/h1/1");
  req.incident = "inc-1";
  CAF_REQUIRE_EQUAL(rig.act(req, &first), action_error::none);
  CAF_CHECK_EQUAL(first.status, "done");
  CAF_CHECK(!first.repeated);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 1);
  CAF_CHECK_NOT_EQUAL(rig.services().pid_of("shopd"), pid);
  auto output = json::parse(first.output);
  CAF_CHECK_EQUAL(output["previous_pid"].get<int>(), pid);
  action_result again;
  CAF_REQUIRE_EQUAL(rig.act(req, &again), action_error::none);
  CAF_CHECK(again.repeated);
  CAF_CHECK_EQUAL(again.detail, first.detail);
  CAF_CHECK_EQUAL(again.started_unix_ms, first.started_unix_ms);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 1);
  auto rows = rig.audit("inc-1");
  CAF_CHECK_EQUAL(count_rows(rows, "inc-1/h1/1", "before"), 1u);
  CAF_CHECK_EQUAL(count_rows(rows, "inc-1/h1/1", "after"), 1u);
  if (auto after = find_row(rows, "inc-1/h1/1", "after"))
    CAF_CHECK_EQUAL(after->status, "done");
}

CAF_TEST(a second request for a running key waits for the same run) {
  action_rig::options opts{fresh_ops_store()};
  opts.restart_takes = 800ms;
  action_rig rig{opts};
  auto req = make_request("restart_service", {{"service", "slowd"}}, "overlap");
  action_result a;
  action_result b;
  action_error code_b = action_error::none;
  std::thread other{[&] { code_b = rig.act(req, &b); }};
  auto code_a = rig.act(req, &a);
  other.join();
  CAF_CHECK_EQUAL(code_a, action_error::none);
  CAF_CHECK_EQUAL(code_b, action_error::none);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 1);
  CAF_CHECK_EQUAL(a.status, "done");
  CAF_CHECK_EQUAL(a.detail, b.detail);
  // One of the two ran it, the other shared its result.
  CAF_CHECK(a.repeated != b.repeated);
  CAF_CHECK_EQUAL(count_rows(rig.audit(), "overlap", "before"), 1u);
}

CAF_TEST(refusals are audited and change nothing) {
  action_rig rig{{fresh_ops_store()}};
  auto pid = rig.services().pid_of("shopd");
  CAF_CHECK_EQUAL(rig.act(make_request("reboot_host", json::object(), "r1")),
                  action_error::unknown_tool);
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "")),
                  action_error::bad_args);
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"svc", "shopd"}}, "r2")),
                  action_error::bad_args);
  auto not_json = make_request("restart_service", json::object(), "r3");
  not_json.args = "{not json";
  CAF_CHECK_EQUAL(rig.act(not_json), action_error::bad_args);
  // A target outside the policy: denied, whoever approves it.
  CAF_CHECK_EQUAL(
    rig.act(make_request("restart_service", {{"service", "postgres"}}, "r4", "human:alice")),
    action_error::not_allowed);
  // A tool the policy does not list.
  CAF_CHECK_EQUAL(rig.act(make_request("start_node", {{"node", "x"}}, "r5")),
                  action_error::bad_args); // no node configured: its args are refused first
  CAF_CHECK_EQUAL(rig.act(make_request("restart_actor", {{"actor", "n/a/b"}}, "r6")),
                  action_error::not_allowed);
  // An "ask" tool without approval.
  CAF_CHECK_EQUAL(rig.act(make_request("stop_service", {{"service", "shopd"}}, "r7")),
                  action_error::needs_approval);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 0);
  CAF_CHECK_EQUAL(rig.services().stops.load(), 0);
  CAF_CHECK_EQUAL(rig.services().pid_of("shopd"), pid);
  auto rows = rig.audit();
  for (auto key : {"r1", "r2", "r3", "r4", "r6", "r7"}) {
    CAF_CHECK_EQUAL(count_rows(rows, key, "refused"), 1u);
    CAF_CHECK_EQUAL(count_rows(rows, key, "before"), 0u);
  }
  if (auto r = find_row(rows, "r4", "refused"))
    CAF_CHECK_EQUAL(r->status, "not_allowed");
  if (auto r = find_row(rows, "r7", "refused"))
    CAF_CHECK_EQUAL(r->status, "needs_approval");
  // Refused requests keep no result: the approved one runs under the same key.
  action_result result;
  CAF_CHECK_EQUAL(rig.act(make_request("stop_service", {{"service", "shopd"}}, "r7",
                                       "human:alice"),
                          &result),
                  action_error::none);
  CAF_CHECK_EQUAL(result.status, "done");
  CAF_CHECK_EQUAL(rig.services().stops.load(), 1);
  if (auto r = find_row(rig.audit(), "r7", "before"))
    CAF_CHECK_EQUAL(r->approved_by, "human:alice");
}

CAF_TEST(restart intensity stops restarts of one service and survives a crash) {
  auto dsn = fresh_ops_store();
  action_rig::options opts{dsn};
  opts.max_restarts = 2;
  action_rig rig{opts};
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "i1")),
                  action_error::none);
  CAF_CHECK_EQUAL(rig.act(make_request("start_service", {{"service", "shopd"}}, "i2")),
                  action_error::none);
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "i3")),
                  action_error::restart_intensity);
  // Another service has its own count.
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "slowd"}}, "i4")),
                  action_error::none);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 2);
  CAF_CHECK_EQUAL(count_rows(rig.audit(), "i3", "refused"), 1u);
  // The plane killed (no clean stop): its supervisor starts a new one,
  // which rebuilds the window from the audit log.
  auto old = rig.plane();
  caf::anon_send_exit(old, caf::exit_reason::kill);
  CAF_REQUIRE(wait_until([&] { auto p = rig.plane(); return p && p != old; }, 10s));
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "i5")),
                  action_error::restart_intensity);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 2);
}

CAF_TEST(a clean stop of the node ends the restart window) {
  auto dsn = fresh_ops_store();
  {
    action_rig::options opts{dsn};
    opts.max_restarts = 1;
    action_rig rig{opts};
    CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "e1")),
                    action_error::none);
    CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "e2")),
                    action_error::restart_intensity);
  } // user_shutdown, as `vigilctl stop` or SIGTERM
  action_rig::options opts{dsn};
  opts.max_restarts = 1;
  action_rig rig{opts};
  size_t stops = 0;
  for (auto& row : rig.audit())
    stops += row.phase == "stopped";
  CAF_CHECK_EQUAL(stops, 1u);
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "e3")),
                  action_error::none);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 1);
}

CAF_TEST(without the ops store nothing runs) {
  action_rig rig{{unreachable_ops_store()}};
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "s1")),
                  action_error::store_unavailable);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 0);
}

CAF_TEST(a run interrupted by a node stop runs again after the restart) {
  auto dsn = fresh_ops_store();
  {
    // Creates the tables.
    action_rig rig{{dsn}};
    CAF_REQUIRE(rig.audit().empty());
  }
  // What a node killed mid-run leaves: a "before" and nothing after.
  ops_sql(dsn, "INSERT INTO action_audit (phase, idempotency_key, tool, args, incident, "
               "requested_by, approved_by) VALUES ('before', 'inc-9/h1/1', 'restart_service', "
               "'{\"service\": \"shopd\"}', 'inc-9', 'agent:coordinator', 'policy')");
  action_rig rig{{dsn}};
  CAF_CHECK(wait_until([&] { return rig.services().restarts.load() == 1; }, 20s));
  CAF_CHECK(wait_until([&] { return count_rows(rig.audit(), "inc-9/h1/1", "after") == 1; }, 20s));
  action_result result;
  CAF_CHECK_EQUAL(rig.act(make_request("restart_service", {{"service", "shopd"}}, "inc-9/h1/1"),
                          &result),
                  action_error::none);
  CAF_CHECK(result.repeated);
  CAF_CHECK_EQUAL(result.status, "done");
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 1);
}

CAF_TEST(the plane lists its tools) {
  action_rig rig{{fresh_ops_store()}};
  caf::scoped_actor self{rig.system()};
  std::vector<tool_info> tools;
  self->request(rig.plane(), 5s, tools_atom::value)
    .receive([&](std::vector<tool_info>& t) { tools = t; }, [](caf::error&) {});
  auto has = [&](const std::string& name) {
    for (auto& t : tools)
      if (t.name == name)
        return true;
    return false;
  };
  for (auto name : {"start_service", "restart_service", "stop_service", "kill_process",
                    "restart_actor", "start_node"})
    CAF_CHECK(has(name));
}

CAF_TEST(a tool actor answers only the plane) {
  action_rig rig{{fresh_ops_store()}};
  auto tool = rig.named("test-1/action/tools/restart_service");
  CAF_REQUIRE(tool != nullptr);
  caf::scoped_actor self{rig.system()};
  bool refused = false;
  self->request(tool, 10s, act_atom::value,
                make_request("restart_service", {{"service", "shopd"}}, "direct"))
    .receive([](action_result&) {},
             [&](caf::error& err) {
               refused = err.category() == caf::atom("action")
                         && err.code() == static_cast<uint8_t>(action_error::not_allowed);
             });
  CAF_CHECK(refused);
  CAF_CHECK_EQUAL(rig.services().restarts.load(), 0);
}
