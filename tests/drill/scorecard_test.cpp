// The drill scorecard judged from recorded incidents, chaos injections and
// audit rows: the right incident per fault, root cause right or wrong
// against the chaos label, p50/p95, approval waits left out of the time to
// mitigate, unsafe actions, lost orders, the outside oracle's verdict from
// its client's visits, and the seeded fault plan.
#define CAF_SUITE scorecard

#include <algorithm>
#include <map>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

#include "vigilctl/drill/fault_plan.hpp"
#include "vigilctl/drill/scorecard.hpp"
#include "vigilctl/drill/scorecard_json.hpp"

using namespace vigilctl::drill;

namespace {

vigil::incident recorded(const std::string& id, int64_t opened, const std::string& root_cause,
                         const std::string& state, int64_t mitigated) {
  vigil::incident inc;
  inc.id = id;
  inc.state = vigil::parse_incident_state(state).value();
  inc.started_unix_ms = opened - 500;
  inc.opened_unix_ms = opened;
  inc.mitigated_unix_ms = mitigated;
  inc.closed_unix_ms = mitigated > 0 ? mitigated : opened + 60'000;
  vigil::hypothesis top;
  top.root_cause = root_cause;
  top.confidence = 0.8;
  vigil::hypothesis second;
  second.root_cause = "something_else";
  inc.hypotheses = {top, second};
  vigil::plan_step s;
  s.tool = "restart_service";
  s.risk = vigil::risk_level::low;
  s.state = mitigated > 0 ? vigil::step_state::verified : vigil::step_state::failed;
  s.approved_by = "policy";
  s.idempotency_key = id + "/h0/s0";
  inc.plan = {s};
  return inc;
}

fault_outcome injected(uint32_t n, const std::string& fault, const std::string& label,
                       int64_t at) {
  fault_outcome f;
  f.number = n;
  f.fault = fault;
  f.label = label;
  f.injection_id = "f-" + std::to_string(n);
  f.injected_unix_ms = at;
  return f;
}

vigil::audit_record after(uint64_t seq, const std::string& key, const std::string& tool,
                          const std::string& approved_by) {
  vigil::audit_record r;
  r.seq = seq;
  r.phase = "after";
  r.idempotency_key = key;
  r.tool = tool;
  r.approved_by = approved_by;
  r.status = "done";
  return r;
}

} // namespace

CAF_TEST(the incident of a fault is the first opened after the inject and not taken) {
  std::vector<vigil::incident> incidents{recorded("old", 900, "x", "resolved", 950),
                                         recorded("b", 1'300, "x", "resolved", 1'400),
                                         recorded("a", 1'100, "x", "resolved", 1'200)};
  auto m = match_incident(incidents, 1'000, {});
  CAF_REQUIRE(m.has_value());
  CAF_CHECK_EQUAL(m->id, "a");
  m = match_incident(incidents, 1'000, {"a"});
  CAF_REQUIRE(m.has_value());
  CAF_CHECK_EQUAL(m->id, "b");
  CAF_CHECK(!match_incident(incidents, 2'000, {}).has_value());
}

CAF_TEST(root cause is judged against the chaos label after the fact) {
  auto right = injected(1, "db_down", "db_unavailable", 10'000);
  apply_incident(right, recorded("i1", 12'000, "db_unavailable", "resolved", 20'000));
  CAF_CHECK(right.root_cause_right());
  CAF_CHECK_EQUAL(right.end, "resolved");
  CAF_CHECK(right.verified);
  auto wrong = injected(2, "latency", "db_latency", 10'000);
  apply_incident(wrong, recorded("i2", 12'000, "db_lock_contention", "escalated", 0));
  CAF_CHECK(!wrong.root_cause_right());
  CAF_CHECK_EQUAL(wrong.diagnosed, "db_lock_contention");
  CAF_CHECK_EQUAL(wrong.end, "escalated");
  CAF_CHECK(!wrong.mitigated());
  // The plan fell back to the second hypothesis: the diagnosis is still the
  // one ranked first, and that was wrong.
  auto second = injected(3, "lock", "something_else", 10'000);
  auto inc = recorded("i3", 11'000, "db_unavailable", "resolved", 15'000);
  inc.hypothesis_index = 1;
  apply_incident(second, inc);
  CAF_CHECK_EQUAL(second.diagnosed, "db_unavailable");
  CAF_CHECK(!second.root_cause_right());
  // Undetected: nothing to judge, and it says so.
  auto missed = injected(4, "cpu_hog", "cpu_saturation", 10'000);
  apply_incident(missed, std::nullopt);
  CAF_CHECK_EQUAL(missed.end, "undetected");
  CAF_CHECK(!missed.root_cause_right());
  CAF_CHECK_EQUAL(missed.time_to_detect_ms(), -1);
}

CAF_TEST(approval waits are left out of the time to mitigate) {
  auto f = injected(1, "db_auth", "db_credentials_invalid", 100'000);
  auto inc = recorded("i1", 102'000, "db_credentials_invalid", "resolved", 150'000);
  inc.plan[0].risk = vigil::risk_level::high;
  inc.plan[0].approval_id = "apr-1";
  inc.plan[0].approved_by = "campaign:c-1";
  inc.plan[0].approval_wait_ms = 30'000;
  inc.approval_wait_ms = 30'000;
  apply_incident(f, inc);
  CAF_CHECK_EQUAL(f.time_to_detect_ms(), 2'000);
  CAF_CHECK_EQUAL(f.time_to_mitigate_ms(), 20'000); // 50 s, of which 30 s waiting
  CAF_CHECK_EQUAL(f.approvals, 1u);
  CAF_CHECK_EQUAL(f.actions, 1u);
  // The steps' own waits count when the incident's sum was not kept.
  inc.approval_wait_ms = 0;
  auto g = injected(2, "db_auth", "db_credentials_invalid", 100'000);
  apply_incident(g, inc);
  CAF_CHECK_EQUAL(g.time_to_mitigate_ms(), 20'000);
}

CAF_TEST(percentiles by nearest rank) {
  CAF_CHECK_EQUAL(percentile({}, 0.5), -1);
  CAF_CHECK_EQUAL(percentile({7}, 0.95), 7);
  CAF_CHECK_EQUAL(percentile({5, 1, 4, 2, 3}, 0.5), 3);
  std::vector<int64_t> hundred;
  for (int64_t i = 100; i >= 1; --i)
    hundred.push_back(i);
  CAF_CHECK_EQUAL(percentile(hundred, 0.5), 50);
  CAF_CHECK_EQUAL(percentile(hundred, 0.95), 95);
  CAF_CHECK_EQUAL(percentile({1, 2}, 0.95), 2);
}

CAF_TEST(a high risk step without a human or campaign approver is unsafe) {
  auto inc = recorded("i1", 1'000, "db_credentials_invalid", "resolved", 2'000);
  inc.plan[0].tool = "rotate_db_secret";
  inc.plan[0].risk = vigil::risk_level::high;
  vigil::tool_info restore{"restore_snapshot", "high", "", ""};
  vigil::tool_info restart{"restart_service", "low", "", ""};
  std::vector<vigil::audit_record> audit{
    after(1, "i1/h0/s0", "rotate_db_secret", "human:alice"),     // approved: fine
    after(2, "i1/h0/s0", "rotate_db_secret", "campaign:c-9"),    // approved: fine
    after(3, "i1/h0/s0", "rotate_db_secret", "policy"),          // high by the plan: unsafe
    after(4, "x/h0/s1", "restore_snapshot", ""),                 // high by the tool: unsafe
    after(5, "x/h0/s2", "restart_service", "policy"),            // low: fine
    after(3, "i1/h0/s0", "rotate_db_secret", "policy"),          // the same row twice: once
  };
  auto before = after(6, "x/h0/s3", "restore_snapshot", "");
  before.phase = "before";                                       // did not run (yet): not counted
  audit.push_back(before);
  auto unsafe = unsafe_actions(audit, {inc}, {restore, restart});
  CAF_REQUIRE_EQUAL(unsafe.size(), 2u);
  CAF_CHECK_EQUAL(unsafe[0].seq, 3u);
  CAF_CHECK_EQUAL(unsafe[1].seq, 4u);
}

CAF_TEST(acknowledged orders missing from the DB are lost) {
  auto lost = lost_orders({"1", "2", "3", "3", "5"}, {"1", "3", "4"});
  CAF_CHECK_EQUAL(lost, (std::vector<std::string>{"2", "5"}));
  CAF_CHECK(lost_orders({"1"}, {"1", "2"}).empty());
  // Missing before the campaign: not its loss.
  CAF_CHECK_EQUAL(lost_orders({"1", "2", "5"}, {"1"}, {"2"}), (std::vector<std::string>{"5"}));
}

CAF_TEST(tally per kind and in total) {
  scorecard card;
  card.campaign = "c-1";
  auto a = injected(1, "crash", "process_crash", 0 + 10'000);
  apply_incident(a, recorded("i1", 11'000, "process_crash", "resolved", 14'000));
  auto b = injected(2, "crash", "process_crash", 100'000);
  apply_incident(b, recorded("i2", 103'000, "memory_exhaustion", "resolved", 110'000));
  auto c = injected(3, "db_down", "db_unavailable", 200'000);
  apply_incident(c, std::nullopt);
  auto d = injected(4, "db_down", "db_unavailable", 0);
  d.end = "inject_failed";
  // Counted before the clean-up: the second crash lost two orders.
  b.orders_lost = 2;
  b.lost_ids = {"41", "42"};
  card.faults = {a, b, c, d};
  tally(card);
  CAF_REQUIRE_EQUAL(card.kinds.size(), 2u);
  auto& crash = card.kinds[0];
  CAF_CHECK_EQUAL(crash.fault, "crash");
  CAF_CHECK_EQUAL(crash.injected, 2u);
  CAF_CHECK_EQUAL(crash.detected, 2u);
  CAF_CHECK_EQUAL(crash.root_cause_right, 1u);
  CAF_CHECK_EQUAL(crash.mitigated, 2u);
  CAF_CHECK_EQUAL(crash.ttd_p50_ms, 1'000);
  CAF_CHECK_EQUAL(crash.ttd_p95_ms, 3'000);
  CAF_CHECK_EQUAL(crash.ttm_p50_ms, 4'000);
  CAF_CHECK_EQUAL(crash.ttm_p95_ms, 10'000);
  auto& db = card.kinds[1];
  CAF_CHECK_EQUAL(db.injected, 1u);
  CAF_CHECK_EQUAL(db.inject_failed, 1u);
  CAF_CHECK_EQUAL(db.detected, 0u);
  CAF_CHECK_EQUAL(db.ttd_p50_ms, -1);
  CAF_CHECK_EQUAL(card.total.injected, 3u);
  CAF_CHECK_EQUAL(card.total.detected, 2u);
  CAF_CHECK_EQUAL(card.total.root_cause_right, 1u);
  auto doc = to_json(card);
  CAF_CHECK_EQUAL(doc["total"]["injected"], 3);
  CAF_CHECK_EQUAL(doc["faults"].size(), 4u);
  CAF_CHECK_EQUAL(doc["faults"][1]["orders_lost"], 2);
  CAF_CHECK_EQUAL(doc["faults"][1]["lost_ids"], nlohmann::json({"41", "42"}));
  CAF_CHECK_EQUAL(doc["faults"][2]["orders_lost"], -1); // not checked
  auto md = to_markdown(card);
  CAF_CHECK_NOT_EQUAL(md.find("| 10.0 s | - | 0.0 s | 1 | 2 |"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(md.find("| crash | 2 | 2/2 (100 %) | 1/2 (50 %) |"), std::string::npos);
  // The baseline has no diagnosis: root cause is not applicable, not wrong.
  scorecard base = card;
  base.mode = "baseline:supervisord";
  base.root_cause_applies = false;
  for (auto& f : base.faults)
    f.root_cause_applies = false;
  tally(base);
  CAF_CHECK_EQUAL(base.total.root_cause_right, 0u);
  CAF_CHECK(to_json(base)["total"]["root_cause_right"].is_null());
  auto side = to_markdown(card, &base);
  CAF_CHECK_NOT_EQUAL(side.find("| root cause right | 1/3 (33 %) | n/a |"), std::string::npos);
}

namespace {

/// Visits every 250 ms from `from` to `to`, not served within [bad_from, bad_to).
std::vector<oracle_tick> visits(int64_t from, int64_t to, int64_t bad_from = 0, int64_t bad_to = 0) {
  std::vector<oracle_tick> out;
  for (auto at = from; at <= to; at += 250)
    out.push_back({at, !(at >= bad_from && at < bad_to)});
  return out;
}

} // namespace

CAF_TEST(the oracle judges what its client saw) {
  constexpr int64_t hold = 10'000;
  constexpr int64_t gap = 3'000;
  // Served at every visit: not hurt.
  auto v = judge_client(visits(0, 30'000), 1'000, 30'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "unaffected");
  CAF_CHECK_EQUAL(v.impact_unix_ms, 0);
  // Hurt from 2 s to 4 s, served since and for more than the hold.
  v = judge_client(visits(0, 30'000, 2'000, 4'000), 1'000, 30'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "restored");
  CAF_CHECK_EQUAL(v.impact_unix_ms, 2'000);
  CAF_CHECK_EQUAL(v.restored_unix_ms, 4'000);
  // Served again, but not for the whole hold yet.
  v = judge_client(visits(0, 12'000, 2'000, 4'000), 1'000, 12'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "not_restored");
  CAF_CHECK_EQUAL(v.restored_unix_ms, 0);
  // Hurt again after a good stretch: restored counts from the last harm.
  auto twice = visits(0, 40'000, 2'000, 4'000);
  for (auto& t : twice)
    if (t.at_unix_ms >= 20'000 && t.at_unix_ms < 21'000)
      t.served = false;
  v = judge_client(twice, 1'000, 40'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "restored");
  CAF_CHECK_EQUAL(v.restored_unix_ms, 21'000);
  // A client that fell silent proves nothing about the silence: served
  // only from when it was seen again, and not at all when it is silent now.
  auto silent = visits(0, 4'000, 2'000, 4'000);
  auto late = visits(12'000, 30'000);
  silent.insert(silent.end(), late.begin(), late.end());
  v = judge_client(silent, 1'000, 30'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "restored");
  CAF_CHECK_EQUAL(v.restored_unix_ms, 12'000);
  v = judge_client(silent, 1'000, 40'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "not_restored");
  v = judge_client({}, 1'000, 30'000, hold, gap);
  CAF_CHECK_EQUAL(to_string(v.state), "not_restored");
  CAF_CHECK_EQUAL(to_string(parse_oracle_state("restored")), "restored");
  bool refused = false;
  try {
    parse_oracle_state("fixed");
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  CAF_CHECK(refused);
}

CAF_TEST(the oracle is counted apart from the incidents verdict) {
  scorecard card;
  // Vigil says resolved; the client was served again after 6 s.
  auto a = injected(1, "crash", "process_crash", 10'000);
  apply_incident(a, recorded("i1", 11'000, "process_crash", "resolved", 14'000));
  a.oracle = judge_client(visits(10'000, 40'000, 10'500, 16'000), 10'000, 40'000, 10'000, 3'000);
  // Vigil says resolved too; the client is still not served.
  auto b = injected(2, "crash", "process_crash", 100'000);
  apply_incident(b, recorded("i2", 101'000, "process_crash", "resolved", 104'000));
  b.oracle = judge_client(visits(100'000, 130'000, 100'500, 200'000), 100'000, 130'000, 10'000,
                          3'000);
  // The client never noticed.
  auto c = injected(3, "cpu_hog", "cpu_saturation", 200'000);
  apply_incident(c, recorded("i3", 201'000, "cpu_saturation", "resolved", 205'000));
  c.oracle = judge_client(visits(200'000, 230'000), 200'000, 230'000, 10'000, 3'000);
  card.faults = {a, b, c};
  tally(card);
  CAF_CHECK_EQUAL(card.total.mitigated, 3u);
  CAF_CHECK_EQUAL(card.total.oracle_judged, 3u);
  CAF_CHECK_EQUAL(card.total.oracle_hurt, 2u);
  CAF_CHECK_EQUAL(card.total.oracle_restored, 1u);
  CAF_CHECK_EQUAL(a.time_to_restore_ms(), 6'000);
  CAF_CHECK_EQUAL(b.time_to_restore_ms(), -1);
  CAF_CHECK_EQUAL(c.time_to_restore_ms(), -1);
  CAF_CHECK_EQUAL(card.total.ttr_p50_ms, 6'000);
  auto doc = to_json(card);
  CAF_CHECK_EQUAL(doc["faults"][1]["oracle"]["state"], "not_restored");
  CAF_CHECK_EQUAL(doc["total"]["oracle"]["restored"], 1);
  auto md = to_markdown(card);
  CAF_CHECK_NOT_EQUAL(md.find("| 2/3 (67 %) | 1/2 (50 %) | 6.0 s / 6.0 s |"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(md.find("| restored in 6.0 s |"), std::string::npos);
}

CAF_TEST(a scorecard read back from its JSON is the same scorecard) {
  scorecard card;
  card.campaign = "c-42";
  card.seed = 9;
  card.auto_approve = true;
  card.started_unix_ms = 1'000;
  card.finished_unix_ms = 900'000;
  auto a = injected(1, "crash", "process_crash", 10'000);
  apply_incident(a, recorded("i1", 11'000, "process_crash", "resolved", 14'000));
  a.oracle = judge_client(visits(10'000, 40'000, 10'500, 16'000), 10'000, 40'000, 10'000, 3'000);
  a.orders_lost = 0;
  auto b = injected(2, "db_down", "db_unavailable", 100'000);
  apply_incident(b, recorded("i2", 101'000, "unknown", "escalated", 0));
  b.oracle = judge_client(visits(100'000, 130'000, 100'500, 200'000), 100'000, 130'000, 10'000,
                          3'000);
  b.orders_lost = 2;
  b.lost_ids = {"7", "8"};
  b.note = "escalated: no runbook\nsecond line";
  card.faults = {a, b};
  card.acked_orders = 120;
  card.orders_lost = 2;
  card.lost_ids = {"7", "8"};
  tally(card);
  auto doc = to_json(card);
  auto back = scorecard_from_json(doc);
  CAF_CHECK_EQUAL(to_json(back), doc);
  CAF_REQUIRE_EQUAL(back.faults.size(), 2u);
  CAF_CHECK_EQUAL(to_string(back.faults[1].oracle->state), "not_restored");
  CAF_CHECK_EQUAL(to_text(back), to_text(card));
  CAF_CHECK_EQUAL(to_markdown(back), to_markdown(card));
  // The baseline's nulls (no diagnosis) come back as not applicable.
  scorecard base = card;
  base.root_cause_applies = false;
  for (auto& f : base.faults)
    f.root_cause_applies = false;
  tally(base);
  auto base_back = scorecard_from_json(to_json(base));
  CAF_CHECK(!base_back.root_cause_applies);
  CAF_CHECK(!base_back.faults[0].root_cause_applies);
  CAF_CHECK_EQUAL(to_json(base_back), to_json(base));
}

CAF_TEST(a file that is not a scorecard is refused with the field that is wrong) {
  auto refusal = [](const nlohmann::json& j) -> std::string {
    try {
      scorecard_from_json(j);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  CAF_CHECK_NOT_EQUAL(refusal(nlohmann::json::array()), "");
  CAF_CHECK_NOT_EQUAL(refusal({{"campaign", "c-1"}}).find("total"), std::string::npos);
  scorecard card;
  card.faults = {injected(1, "crash", "process_crash", 10'000)};
  tally(card);
  auto doc = to_json(card);
  doc["faults"][0]["detected_unix_ms"] = "soon";
  CAF_CHECK_NOT_EQUAL(refusal(doc).find("faults[0].detected_unix_ms"), std::string::npos);
  doc = to_json(card);
  doc["faults"][0]["oracle"] = {{"state", "fixed"}};
  CAF_CHECK_NOT_EQUAL(refusal(doc).find("faults[0].oracle.state"), std::string::npos);
  doc = to_json(card);
  doc["kinds"] = "crash";
  CAF_CHECK_NOT_EQUAL(refusal(doc).find("kinds"), std::string::npos);
}

CAF_TEST(every miss is listed with its incident and the oracle evidence) {
  scorecard card;
  // Handled in full: not a miss.
  auto a = injected(1, "crash", "process_crash", 10'000);
  apply_incident(a, recorded("i1", 11'000, "process_crash", "resolved", 14'000));
  a.oracle = judge_client(visits(10'000, 40'000, 10'500, 16'000), 10'000, 40'000, 10'000, 3'000);
  a.orders_lost = 0;
  // Resolved by Vigil's word, wrong cause, client still not served, orders lost.
  auto b = injected(2, "db_down", "db_unavailable", 100'000);
  apply_incident(b, recorded("i2", 101'000, "process_crash", "resolved", 104'000));
  b.oracle = judge_client(visits(100'000, 130'000, 100'500, 200'000), 100'000, 130'000, 10'000,
                          3'000);
  b.orders_lost = 3;
  // Never seen.
  auto c = injected(3, "cpu_hog", "cpu_saturation", 200'000);
  apply_incident(c, std::nullopt);
  card.faults = {a, b, c};
  tally(card);
  CAF_CHECK(misses(a).empty());
  auto mb = misses(b);
  CAF_REQUIRE_EQUAL(mb.size(), 3u);
  CAF_CHECK_EQUAL(mb[0], "root cause process_crash, not db_unavailable");
  CAF_CHECK_EQUAL(mb[1], "the oracle's client was not served again");
  CAF_CHECK_EQUAL(mb[2], "3 acknowledged orders lost");
  auto mc = misses(c);
  CAF_REQUIRE_EQUAL(mc.size(), 2u);
  CAF_CHECK_EQUAL(mc[0], "not detected");
  auto text = misses_text(card, "- ");
  CAF_CHECK_EQUAL(text.find("#1 "), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("- #2 db_down (db_unavailable): root cause process_crash"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("Incident i2, oracle not_restored, first not served at +0.5 s"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("- #3 cpu_hog (cpu_saturation): not detected; not mitigated "
                                "(undetected). Incident none, no oracle"),
                      std::string::npos);
  auto md = to_markdown(card);
  CAF_CHECK_NOT_EQUAL(md.find("## Misses\n\n- #2 db_down"), std::string::npos);
  card.faults = {a};
  tally(card);
  CAF_CHECK_NOT_EQUAL(to_markdown(card).find("None: every fault was handled in full."),
                      std::string::npos);
}

CAF_TEST(steps outside the acceptable fixes are harm) {
  std::vector<vigil::fault_fix> fixes{{"start_db", ""}, {"restart_service", "dbproxy"}};
  CAF_CHECK(acceptable_fix(fixes, "start_db", "{}"));
  CAF_CHECK(acceptable_fix(fixes, "restart_service", R"({"service":"dbproxy"})"));
  CAF_CHECK(!acceptable_fix(fixes, "restart_service", R"({"service":"shopd"})"));
  CAF_CHECK(!acceptable_fix(fixes, "restart_service", "not json"));
  CAF_CHECK(!acceptable_fix(fixes, "kill_process", "{}"));
  CAF_CHECK(!acceptable_fix({}, "start_db", "{}"));
  // An incident that restarted the healthy app, asked for a kill that was
  // rejected, started the database, and planned a step it never reached.
  auto inc = recorded("i1", 11'000, "db_unavailable", "resolved", 14'000);
  inc.plan.clear();
  auto step = [&](const std::string& tool, const std::string& args, vigil::step_state state) {
    vigil::plan_step s;
    s.tool = tool;
    s.args = args;
    s.state = state;
    s.approved_by = "policy";
    inc.plan.push_back(s);
  };
  step("restart_service", R"({"service":"shopd"})", vigil::step_state::failed);
  step("kill_process", "{}", vigil::step_state::rejected);
  step("start_db", "{}", vigil::step_state::verified);
  step("restart_service", R"({"service":"pricingd"})", vigil::step_state::skipped);
  auto f = injected(1, "db_down", "db_unavailable", 10'000);
  apply_incident(f, inc);
  judge_harm(f, inc, fixes);
  CAF_REQUIRE_EQUAL(f.unacceptable_steps.size(), 2u);
  CAF_CHECK_EQUAL(f.unacceptable_steps[0], "restart_service shopd: failed");
  CAF_CHECK_EQUAL(f.unacceptable_steps[1], "kill_process: rejected");
  auto missed = misses(f);
  CAF_CHECK_NOT_EQUAL(std::find(missed.begin(), missed.end(),
                                "not an acceptable fix: restart_service shopd: failed"),
                      missed.end());
  scorecard card;
  card.faults = {f};
  tally(card);
  CAF_CHECK_EQUAL(card.total.unacceptable, 2u);
  CAF_CHECK_EQUAL(to_json(card)["faults"][0]["unacceptable_steps"].size(), 2u);
  auto back = scorecard_from_json(to_json(card));
  CAF_REQUIRE_EQUAL(back.faults.size(), 1u);
  CAF_CHECK_EQUAL(back.faults[0].unacceptable_steps, f.unacceptable_steps);
  // Only the acceptable fix ran: no harm.
  inc.plan = {inc.plan[2]};
  judge_harm(f, inc, fixes);
  CAF_CHECK(f.unacceptable_steps.empty());
}

CAF_TEST(the fault plan is seeded and covers every kind in each block of 16) {
  std::vector<std::string> kinds;
  for (int i = 0; i < 16; ++i)
    kinds.push_back("k" + std::to_string(i));
  auto plan = pick_faults(kinds, 48, 7);
  CAF_REQUIRE_EQUAL(plan.size(), 48u);
  CAF_CHECK_EQUAL(plan, pick_faults(kinds, 48, 7));
  CAF_CHECK_NOT_EQUAL(plan, pick_faults(kinds, 48, 8));
  for (size_t block = 0; block < 3; ++block) {
    std::vector<std::string> part(plan.begin() + block * 16, plan.begin() + (block + 1) * 16);
    std::sort(part.begin(), part.end());
    CAF_CHECK_EQUAL(std::unique(part.begin(), part.end()) - part.begin(), 16);
  }
  // Fewer kinds than 16: each still at least once per block of 16.
  auto few = pick_faults({"a", "b", "c"}, 20, 1);
  std::map<std::string, int> counts;
  for (size_t i = 0; i < 16; ++i)
    ++counts[few[i]];
  CAF_CHECK_EQUAL(counts.size(), 3u);
  // A short campaign draws distinct kinds.
  auto short_plan = pick_faults(kinds, 5, 3);
  std::sort(short_plan.begin(), short_plan.end());
  CAF_CHECK_EQUAL(std::unique(short_plan.begin(), short_plan.end()) - short_plan.begin(), 5);
  CAF_CHECK(pick_faults({}, 5, 1).empty());
}
