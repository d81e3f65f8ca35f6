// The whole loop on the real demo (`./run demo --detach`), with faults made
// by hand, outside the chaos plane, as an operator or an accident would:
// shopd killed with SIGKILL, the app role's password changed with psql, a
// file filling shopd's data volume, the target DB stopped with pg_ctl.
// Perception must open an incident, diagnosis name the root cause, the plan
// run through the safety gate (a risky step waits for `vigilctl approve`; a
// rejected one never runs and the incident escalates), the verifier prove
// the fix. Killing the control node in the middle loses nothing and repeats
// no step.
#define CAF_SUITE loop_demo

#include <csignal>
#include <fstream>
#include <iostream>

#include <sys/types.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "tests/agents/demo_incidents.hpp"
#include "tests/support/demo.hpp"
#include "messages/unix_time.hpp"

using namespace std::chrono_literals;
using namespace vigil::test;
using vigil::now_unix_ms;
using json = nlohmann::json;

namespace {

const std::string root = VIGIL_SOURCE_DIR;
const std::string pg_bin = "/usr/lib/postgresql/15/bin";

demo_cluster& the_demo() {
  static demo_cluster d{root, VIGILCTL_BINARY};
  return d;
}

demo_cluster& ready_demo() {
  return ready(the_demo());
}

/// psql as the superuser over the target cluster's socket, as an operator
/// on the database host would.
command_result psql(const std::string& sql) {
  auto r = run_command({pg_bin + "/psql", "-h", root + "/var/pg/target", "-p", "5433", "-U", "postgres",
                        "-d", "shop", "-v", "ON_ERROR_STOP=1", "-Atc", sql},
                       30s);
  if (r.exit_code != 0)
    CAF_MESSAGE("psql failed (" << r.exit_code << "): " << r.out << r.err);
  return r;
}

std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string{"''"} : std::string(1, c);
  return out + "'";
}

/// Changes the app role's password by hand: the app no longer logs in.
void break_password() {
  auto r = psql("ALTER ROLE shop PASSWORD 'changed-by-hand-" + std::to_string(::getpid()) + "'");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
}

/// What an operator does after refusing the automatic fix: the role gets
/// the password the app reads from its secret file again.
void repair_password(demo_cluster& d) {
  auto r = psql("ALTER ROLE shop PASSWORD " + sql_literal(d.secret("shop-db-password")));
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
}

/// Waits for the incident `svc` opened since `since` and returns it.
json opened(demo_cluster& d, const std::string& svc, int64_t since) {
  json x;
  CAF_REQUIRE(wait_until([&] { return !(x = d.incident_of(svc, since)).is_null(); }, 90s,
                         vigilctl_poll));
  CAF_MESSAGE("incident " << x.value("id", "") << " opened");
  return x;
}

/// The approval incident `id` waits for (fails the test after 120 s).
json awaited_approval(demo_cluster& d, const std::string& id) {
  json a;
  auto asked = wait_until([&] { return !(a = d.pending_approval(id)).is_null(); }, 120s,
                          vigilctl_poll);
  if (!asked)
    CAF_MESSAGE("incident: " << d.vigilctl({"incident", id}).out);
  CAF_REQUIRE(asked);
  return a;
}

/// The incident once closed; prints it when it did not end `want`.
json closed(demo_cluster& d, const std::string& id, const std::string& want) {
  auto x = d.closed_incident(id, 300s);
  if (x.is_null() || x.value("state", "") != want)
    CAF_MESSAGE("incident: " << d.vigilctl({"incident", id}).out);
  CAF_REQUIRE(!x.is_null());
  return x;
}

std::string root_cause(const json& x) {
  return x["hypotheses"].empty() ? "" : x["hypotheses"][0].value("root_cause", "");
}

/// The plan's steps with `tool`.
std::vector<json> steps_of(const json& x, const std::string& tool) {
  std::vector<json> out;
  for (auto& s : x["plan"])
    if (s.value("tool", "") == tool)
      out.push_back(s);
  return out;
}

/// Audit rows of incident `id` with `tool` and `phase` ("before", "after",
/// "refused").
size_t audit_rows(demo_cluster& d, const std::string& id, const std::string& tool,
                  const std::string& phase) {
  auto rows = d.ctl({"actions", "audit", "--incident", id, "--limit", "1000"});
  size_t n = 0;
  if (rows.is_array())
    for (auto& r : rows)
      n += r.value("tool", "") == tool && r.value("phase", "") == phase;
  return n;
}

/// Some step of `x` was verified.
bool some_step_verified(const json& x) {
  for (auto& s : x["plan"])
    if (s.value("state", "") == "verified")
      return true;
  return false;
}

} // namespace

CAF_TEST(a shopd killed by hand is detected diagnosed restarted and verified) {
  auto& d = ready_demo();
  auto since = now_unix_ms();
  auto pid = d.service("shopd").value("pid", 0);
  CAF_REQUIRE(pid > 0);
  CAF_MESSAGE("kill -9 shopd (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
  auto id = opened(d, "shopd", since).value("id", "");
  auto x = closed(d, id, "resolved");
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_CHECK_EQUAL(root_cause(x), "process_crash");
  // The step that fixed it ran automatically and was verified.
  bool verified = false;
  for (auto& s : x["plan"])
    if (s.value("state", "") == "verified") {
      verified = true;
      CAF_CHECK_EQUAL(s.value("approved_by", ""), "policy");
    }
  CAF_CHECK(verified);
  CAF_CHECK(x.value("mitigated_unix_ms", int64_t{0}) >= x.value("opened_unix_ms", int64_t{0}));
  CAF_CHECK_EQUAL(d.service("shopd").value("state", ""), "running");
  // The same incident for people: hypotheses, plan, timeline.
  auto text = d.vigilctl({"incident", id});
  CAF_CHECK_EQUAL(text.exit_code, 0);
  CAF_CHECK(text.out.find("timeline (UTC):") != std::string::npos);
  CAF_CHECK(text.out.find("process_crash") != std::string::npos);
}

CAF_TEST(a password changed by hand waits for vigilctl approve and is fixed after it) {
  auto& d = ready_demo();
  auto since = now_unix_ms();
  CAF_MESSAGE("ALTER ROLE shop PASSWORD ... with psql");
  break_password();
  auto id = opened(d, "target-db", since).value("id", "");
  auto approval = awaited_approval(d, id);
  CAF_CHECK_EQUAL(approval.value("tool", ""), "rotate_db_secret");
  // Waiting for a human: the risky step has not run.
  CAF_CHECK_EQUAL(audit_rows(d, id, "rotate_db_secret", "before"), 0u);
  auto x = d.ctl({"incident", id});
  CAF_CHECK_EQUAL(x.value("state", ""), "awaiting_approval");
  auto approve = d.vigilctl({"approve", approval.value("id", ""), "--as", "human:oncall",
                             "--reason", "the password was changed by hand"});
  CAF_REQUIRE_EQUAL(approve.exit_code, 0);
  x = closed(d, id, "resolved");
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_CHECK_EQUAL(root_cause(x), "db_credentials_invalid");
  auto rotations = steps_of(x, "rotate_db_secret");
  CAF_REQUIRE(!rotations.empty());
  CAF_CHECK_EQUAL(rotations[0].value("approved_by", ""), "human:oncall");
  CAF_CHECK_EQUAL(audit_rows(d, id, "rotate_db_secret", "before"), 1u);
  CAF_CHECK(some_step_verified(x));
  // The app logs in with the rotated secret.
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(a rejected step does not run and the incident escalates) {
  auto& d = ready_demo();
  auto since = now_unix_ms();
  break_password();
  auto id = opened(d, "target-db", since).value("id", "");
  auto approval = awaited_approval(d, id);
  auto reject = d.vigilctl({"reject", approval.value("id", ""), "--as", "human:oncall",
                            "--reason", "I rotate it myself"});
  CAF_REQUIRE_EQUAL(reject.exit_code, 0);
  auto x = closed(d, id, "escalated");
  CAF_CHECK_EQUAL(x.value("state", ""), "escalated");
  CAF_CHECK(x.value("escalation", "").find("reject") != std::string::npos);
  // Nothing ran: no step of the plan, no audit record of a run.
  for (auto& s : x["plan"])
    CAF_CHECK(s.value("started_unix_ms", int64_t{0}) == 0);
  CAF_CHECK_EQUAL(audit_rows(d, id, "rotate_db_secret", "before"), 0u);
  CAF_CHECK_EQUAL(audit_rows(d, id, "rotate_db_secret", "after"), 0u);
  auto decided = d.ctl({"approvals", "--all"});
  bool recorded = false;
  for (auto& a : decided)
    if (a.value("id", "") == approval.value("id", "")) {
      recorded = true;
      CAF_CHECK_EQUAL(a.value("state", ""), "rejected");
      CAF_CHECK_EQUAL(a.value("decided_by", ""), "human:oncall");
    }
  CAF_CHECK(recorded);
  // The human fixes it as they said; the stack is healthy again.
  repair_password(d);
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}

CAF_TEST(a file filling the data volume by hand is freed after approval) {
  auto& d = ready_demo();
  auto since = now_unix_ms();
  // A runaway dump next to the receipts, as large as the volume allows.
  auto dump = root + "/var/stack/shopd-data/dump-by-hand.bin";
  {
    std::ofstream out(dump, std::ios::binary);
    std::string block(1 << 20, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())))
      ;
  }
  CAF_MESSAGE("filled the volume with " << dump);
  auto id = opened(d, "shopd", since).value("id", "");
  auto approval = awaited_approval(d, id);
  CAF_CHECK_EQUAL(approval.value("tool", ""), "free_disk");
  CAF_REQUIRE_EQUAL(d.vigilctl({"approve", approval.value("id", ""), "--as", "human:oncall"})
                      .exit_code,
                    0);
  auto x = closed(d, id, "resolved");
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_CHECK_EQUAL(root_cause(x), "disk_full");
  CAF_CHECK(some_step_verified(x));
  CAF_CHECK_NOT_EQUAL(::access(dump.c_str(), F_OK), 0);
  // Receipts are never what gets freed.
  CAF_CHECK_EQUAL(::access((root + "/var/stack/shopd-data/receipts").c_str(), F_OK), 0);
}

CAF_TEST(the target DB stopped with pg_ctl is started again) {
  auto& d = ready_demo();
  auto since = now_unix_ms();
  std::vector<std::string> stop{pg_bin + "/pg_ctl", "-D", root + "/var/pg/target/data", "-m",
                                "fast", "-w", "stop"};
  if (::geteuid() == 0) // Postgres refuses root: as its owner, like pgcluster
    stop.insert(stop.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  auto r = run_command(stop, 60s);
  if (r.exit_code != 0)
    CAF_MESSAGE("pg_ctl stop failed: " << r.out << r.err);
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_MESSAGE("pg_ctl stop: " << r.out);
  auto id = opened(d, "target-db", since).value("id", "");
  auto x = closed(d, id, "resolved");
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_CHECK_EQUAL(root_cause(x), "db_unavailable");
  auto starts = steps_of(x, "start_db");
  CAF_REQUIRE(!starts.empty());
  CAF_CHECK_EQUAL(starts[0].value("approved_by", ""), "policy");
  CAF_CHECK(some_step_verified(x));
  CAF_CHECK_EQUAL(psql("SELECT 1").out, "1\n");
}

CAF_TEST(the control node killed mid incident loses nothing and repeats no step) {
  auto& d = ready_demo();
  auto since = now_unix_ms();
  break_password();
  auto id = opened(d, "target-db", since).value("id", "");
  auto approval = awaited_approval(d, id);
  // Approved, then the control node dies at once: the rotation is about to
  // run, running, or done but not verified.
  CAF_REQUIRE_EQUAL(d.vigilctl({"approve", approval.value("id", ""), "--as", "human:oncall"})
                      .exit_code,
                    0);
  auto pid = d.node_pid("control");
  CAF_REQUIRE(pid > 0);
  CAF_MESSAGE("kill -9 control-1 (pid " << pid << ")");
  CAF_REQUIRE_EQUAL(::kill(pid, SIGKILL), 0);
  // Brought back through the action node's REST API, as an operator would
  // (the cluster's registry lived on the dead node: vigilctl has no way in).
  auto body = json{{"tool", "start_node"},
                   {"args", {{"node", "control-1"}}},
                   {"idempotency_key", "loop-demo-test/start-control/" + id},
                   {"approved_by", "human:oncall"}}
                .dump();
  auto started = run_command({"/usr/bin/curl", "-s", "-o", "/dev/stderr", "-w", "%{http_code}",
                              "-H", "Authorization: Bearer " + d.secret("action-api-token"),
                              "-H", "Content-Type: application/json", "-d", body,
                              "http://127.0.0.1:8110/v1/actions"},
                             120s);
  CAF_MESSAGE("start_node control-1: HTTP " << started.out << " " << started.err);
  CAF_REQUIRE_EQUAL(started.out, "200");
  auto x = closed(d, id, "resolved");
  CAF_CHECK_EQUAL(x.value("state", ""), "resolved");
  CAF_CHECK_EQUAL(root_cause(x), "db_credentials_invalid");
  // One rotation, however the restart fell: the plane ran it once.
  CAF_CHECK_EQUAL(audit_rows(d, id, "rotate_db_secret", "before"), 1u);
  CAF_CHECK_EQUAL(audit_rows(d, id, "rotate_db_secret", "after"), 1u);
  auto rotations = steps_of(x, "rotate_db_secret");
  CAF_REQUIRE_EQUAL(rotations.size(), 1u);
  CAF_CHECK_EQUAL(rotations[0].value("approved_by", ""), "human:oncall");
  CAF_CHECK(wait_until([&] { return d.all_healthy(); }, 120s, vigilctl_poll));
}
