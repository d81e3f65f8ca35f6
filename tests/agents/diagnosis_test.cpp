// Diagnosis and planning without a demo: the repository's runbooks scored
// against signal tables recorded from the real demo (one per fault of the
// chaos catalogue, tests/agents/signals/<fault>.json, from `vigilctl --json
// signals`) and against hand-made tables; placeholders and plans.
#define CAF_SUITE diagnosis

#include <filesystem>
#include <fstream>
#include <sstream>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/agents/planner.hpp"
#include "actors/agents/runbook_book.hpp"
#include "actors/agents/signal_table.hpp"
#include "actors/agents/symptom_match.hpp"
#include "messages/incidents_json.hpp"

using namespace vigil;
using namespace vigil::agents;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string root = VIGIL_SOURCE_DIR;

const runbook_book& book() {
  static runbook_book b = load_runbook_book({root + "/config/runbooks", root + "/config/knowledge"});
  return b;
}

diagnosis_settings settings() {
  diagnosis_settings s;
  s.dependents = {{"target-db", {"dbproxy"}}, {"dbproxy", {"shopd"}}, {"shopd", {"web"}},
                  {"pricingd-primary", {"shopd"}}};
  return s;
}

/// As the diagnosis actor does: focused on the services that went bad last.
std::vector<hypothesis> diagnose(const signal_table& table) {
  return rank_hypotheses(book().runbooks, table, {}, settings(), focus_services({}, table));
}

probe_result result(std::string probe, std::string kind, std::string target, std::string status,
                    std::string detail, std::map<std::string, double> values = {}) {
  probe_result r;
  r.probe = std::move(probe);
  r.kind = std::move(kind);
  r.target = std::move(target);
  r.status = std::move(status);
  r.detail = std::move(detail);
  r.values = std::move(values);
  r.at_unix_ms = 1000;
  return r;
}

/// The fault catalogue's labels, by fault (docs/CHAOS.md).
const std::map<std::string, std::string> labels = {
  {"crash", "process_crash"},
  {"oom", "memory_exhaustion"},
  {"db_auth", "db_credentials_invalid"},
  {"disk_full", "disk_full"},
  {"db_down", "db_unavailable"},
  {"conn_exhaust", "db_connection_exhaustion"},
  {"lock", "db_lock_contention"},
  {"latency", "db_latency"},
  {"upstream_down", "upstream_unavailable"},
  {"cache_poison", "cache_poisoned"},
  {"bad_config", "bad_config"},
  {"schema_drift", "schema_drift"},
  {"data_loss", "data_loss"},
  {"cpu_hog", "cpu_saturation"},
  {"actor_kill", "vigil_actor_crash"},
  {"node_kill", "vigil_node_crash"},
};

} // namespace

CAF_TEST(every runbook of the repository loads with a signature and steps) {
  CAF_CHECK(book().errors.empty());
  for (auto& e : book().errors)
    CAF_MESSAGE(e);
  CAF_CHECK_GREATER_OR_EQUAL(book().runbooks.size(), 16u);
  for (auto& r : book().runbooks) {
    CAF_CHECK(!r.symptoms.empty());
    CAF_CHECK(!r.steps.empty());
  }
}

CAF_TEST(conditions compare text and numbers and wildcards) {
  signal_table t;
  t.set("probe.shopd.http.status", "down", 1);
  t.set("probe.shopd.http.status_code", 503.0, 1);
  t.set("probe.shopd.http.detail", "shopd-ready: Connection Refused", 1);
  t.set("probe.chaos-1.tcp.status", "down", 1);
  auto holds = [&](condition c) { return evaluate(c, t).held; };
  CAF_CHECK(holds({"probe.shopd.http.status", "is", "down", 0, 1}));
  CAF_CHECK(!holds({"probe.shopd.http.status", "is_not", "down", 0, 1}));
  CAF_CHECK(holds({"probe.shopd.http.status_code", "is", "503", 0, 1}));
  CAF_CHECK(holds({"probe.shopd.http.status_code", "above", "500", 500, 1}));
  CAF_CHECK(!holds({"probe.shopd.http.status_code", "below", "500", 500, 1}));
  CAF_CHECK(holds({"probe.shopd.http.detail", "contains", "connection refused", 0, 1}));
  CAF_CHECK(holds({"probe.*.tcp.status", "is", "down", 0, 1}));
  // A signal nobody saw holds nothing, not even is_not.
  CAF_CHECK(!holds({"probe.nothing.http.status", "is_not", "ok", 0, 1}));
  auto words = evaluate({"probe.nothing.http.status", "is", "ok", 0, 1}, t).words;
  CAF_CHECK_NOT_EQUAL(words.find("not seen"), std::string::npos);
}

CAF_TEST(probes of one target and kind share a signal and the worst wins) {
  signal_table t;
  t.observe(result("shopd-health", "http", "shopd", "ok", "HTTP 200", {{"status_code", 200}}), 1);
  t.observe(result("shopd-ready", "http", "shopd", "down", "HTTP 503 from /readyz",
                   {{"status_code", 503}}),
            1);
  CAF_CHECK_EQUAL(t.find("probe.shopd.http.status")->text, "down");
  CAF_CHECK_EQUAL(t.find("probe.shopd.http.status_code")->text, "503");
  CAF_CHECK_EQUAL(t.find("probe.shopd.http.detail")->text, "shopd-ready: HTTP 503 from /readyz");
  t.observe(result("shopd-ready", "http", "shopd", "ok", "HTTP 200", {{"status_code", 200}}), 2);
  CAF_CHECK_EQUAL(t.find("probe.shopd.http.status")->text, "ok");
  CAF_CHECK_EQUAL(t.find("probe.shopd.http.status_code")->text, "200");
}

CAF_TEST(an actor restart and a log line become signals that stay a while) {
  signal_table t;
  t.log_keep_ms(1000);
  t.observe(result("vigil-action-1", "metrics", "action-1", "degraded",
                   "vigil_supervisor_restarts_total{node=\"action-1\",path=\"action-1/probe/"
                   "traffic\"} rose from 0 to 1"),
            1000);
  t.observe(result("shopd-log", "log", "shopd", "degraded",
                   "3 lines match errors within 5 s; last: 2026 error db: boom"),
            1000);
  CAF_CHECK_EQUAL(t.find("vigil.tree.actor")->text, "action-1/probe/traffic");
  CAF_CHECK_EQUAL(t.find("vigil.tree.node")->text, "action-1");
  CAF_CHECK_EQUAL(t.find("log.shopd")->text, "2026 error db: boom");
  t.expire(1500, 60000);
  CAF_CHECK(t.find("log.shopd") != nullptr);
  t.expire(2500, 60000);
  CAF_CHECK(t.find("log.shopd") == nullptr);
  CAF_CHECK(t.find("vigil.tree.actor") == nullptr);
}

CAF_TEST(an unknown pattern gives one low-confidence unknown) {
  signal_table t;
  t.set("probe.mystery.http.status", "down", 1);
  t.set("probe.mystery.http.detail", "something nobody has seen before", 1);
  auto hs = diagnose(t);
  CAF_REQUIRE_EQUAL(hs.size(), 1u);
  CAF_CHECK_EQUAL(hs.front().root_cause, "unknown");
  CAF_CHECK(hs.front().runbook.empty());
  CAF_CHECK_LESS(hs.front().confidence, 0.5);
  // And nothing at all is unknown too.
  auto nothing = diagnose(signal_table{});
  CAF_CHECK_EQUAL(nothing.front().root_cause, "unknown");
}

CAF_TEST(blast radius follows the dependents transitively) {
  auto radius = blast_radius("target-db", settings());
  CAF_CHECK_EQUAL(radius, (std::vector<std::string>{"dbproxy", "shopd", "web"}));
  CAF_CHECK(blast_radius("web", settings()).empty());
}

CAF_TEST(every recorded fault is diagnosed with its label and its neighbours below) {
  auto dir = root + "/tests/agents/signals";
  size_t seen = 0;
  for (auto& [fault, label] : labels) {
    auto path = dir + "/" + fault + ".json";
    if (!fs::exists(path)) {
      CAF_FAIL("no recorded signal table " << path);
      continue;
    }
    std::ifstream in{path};
    auto values = json::parse(in).get<std::vector<signal_value>>();
    auto hs = diagnose(make_signal_table(values));
    CAF_REQUIRE(!hs.empty());
    CAF_MESSAGE(fault << ": " << hs.front().root_cause << " at " << hs.front().confidence
                      << (hs.size() > 1 ? ", next " + hs[1].root_cause + " at "
                                            + std::to_string(hs[1].confidence)
                                        : std::string{}));
    CAF_CHECK_EQUAL(hs.front().root_cause, label);
    if (hs.size() > 1)
      CAF_CHECK_LESS(hs[1].confidence, hs.front().confidence);
    ++seen;
  }
  CAF_CHECK_EQUAL(seen, labels.size());
}

CAF_TEST(the planner fills placeholders and keys each step) {
  signal_table t;
  t.set("vigil.node.down", "chaos-1", 1);
  t.set("vigil.node.status", "down", 1);
  incident inc;
  inc.id = "inc-1-1";
  inc.services = {"chaos-1"};
  hypothesis h;
  h.root_cause = "vigil_node_crash";
  h.runbook = "vigil-node-down";
  h.confidence = 0.9;
  inc.hypotheses = {h};
  auto plan = make_plan(inc, 0, book().find("vigil-node-down"), t, 0.5);
  CAF_REQUIRE(!plan.empty());
  CAF_CHECK_EQUAL(plan[0].tool, "start_node");
  CAF_CHECK_EQUAL(json::parse(plan[0].args).value("node", ""), "chaos-1");
  CAF_CHECK_EQUAL(plan[0].idempotency_key, "inc-1-1/h0/s0");
  CAF_CHECK_EQUAL(plan.back().on_failure, "escalate");
  CAF_CHECK(!json::parse(plan[0].check).empty());
  CAF_CHECK(!json::parse(plan[0].rollback).empty());
}

CAF_TEST(the planner chains steps and hypotheses) {
  incident inc;
  inc.id = "inc-2-1";
  inc.services = {"shopd"};
  hypothesis a;
  a.root_cause = "process_crash";
  a.runbook = "shopd-process-down";
  a.confidence = 0.9;
  hypothesis b = a;
  b.root_cause = "memory_exhaustion";
  b.runbook = "shopd-memory-exhaustion";
  b.confidence = 0.6;
  inc.hypotheses = {a, b};
  auto plan = make_plan(inc, 0, book().find(a.runbook), signal_table{}, 0.5);
  CAF_REQUIRE_GREATER_OR_EQUAL(plan.size(), 2u);
  for (size_t i = 0; i + 1 < plan.size(); ++i) {
    CAF_CHECK_EQUAL(plan[i].on_failure, "next_step");
    CAF_CHECK_EQUAL(plan[i].index, i);
  }
  CAF_CHECK_EQUAL(plan.back().on_failure, "next_hypothesis");
  CAF_CHECK_EQUAL(plan[1].idempotency_key, "inc-2-1/h0/s1");
  CAF_CHECK_EQUAL(json::parse(plan[0].args).value("service", ""), "shopd");
  // The second hypothesis is the last: its last step escalates.
  auto second = make_plan(inc, 1, book().find(b.runbook), signal_table{}, 0.5);
  CAF_REQUIRE(!second.empty());
  CAF_CHECK_EQUAL(second.back().on_failure, "escalate");
  CAF_CHECK_EQUAL(second[0].idempotency_key, "inc-2-1/h1/s0");
  // Unknown plans nothing.
  hypothesis unknown;
  unknown.root_cause = "unknown";
  inc.hypotheses = {unknown};
  CAF_CHECK(make_plan(inc, 0, nullptr, signal_table{}, 0.5).empty());
}
