// The incident loop on a real actor system with a real Postgres as the ops
// store: the real coordinator, safety agent and verifier, and small test
// actors in place of perception, diagnosis, planner, the status board, the
// registry and the action plane (same typed interfaces; they count calls).
// An incident goes from open to resolved; a risky step waits for a human;
// rejected, expired and over-limit steps escalate; a coordinator killed
// mid-incident resumes without repeating a step; related problems make one
// incident; a paused loop detects but does not act.
#define CAF_SUITE loop

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/agents/incident_store.hpp"
#include "actors/agents/incidents.hpp"
#include "actors/agents/safety.hpp"
#include "actors/agents/verifier.hpp"
#include "messages/actions.hpp"
#include "messages/announce.hpp"
#include "messages/incidents_json.hpp"
#include "messages/observability.hpp"
#include "tests/actors/knowledge/ops_store.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::agents;
using json = nlohmann::json;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    announce_messages(*this);
  }
};

/// What the test actors answer and what they saw; shared with the test.
struct world {
  std::mutex mtx;
  std::vector<hypothesis> hypotheses;
  std::vector<plan_step> steps;
  std::map<std::string, std::string> signals;   ///< name → text
  /// Per tool, the signal a successful run sets, and its value.
  std::map<std::string, std::pair<std::string, std::string>> effects;
  std::map<std::string, int> runs;              ///< Per idempotency key: times a tool ran.
  std::map<std::string, int> requests;          ///< Per key: act requests received.
  std::set<std::string> hold;                   ///< Keys that wait for release.
  int diagnoses = 0;
  int plans = 0;
  int confirms = 0;       ///< Hypotheses checked again before their first step.
  bool cause_gone = false; ///< Those checks now find the fault gone.

  template <class F>
  auto with(F f) {
    std::lock_guard<std::mutex> guard{mtx};
    return f(*this);
  }
};

using world_ptr = std::shared_ptr<world>;

using release_atom = caf::atom_constant<caf::atom("release")>;

/// The action plane: runs each key once, answers repeats from the first
/// result, and holds the keys in `hold` until released.
using test_plane_actor = action_plane_actor::extend<caf::reacts_to<release_atom, std::string>>;

struct plane_state {
  std::map<std::string, action_result> results;
  std::map<std::string, std::vector<caf::typed_response_promise<action_result>>> waiting;
};

action_result run_tool(world& w, const action_request& req) {
  ++w.runs[req.idempotency_key];
  if (auto e = w.effects.find(req.tool); e != w.effects.end())
    w.signals[e->second.first] = e->second.second;
  action_result r;
  r.idempotency_key = req.idempotency_key;
  r.tool = req.tool;
  r.status = "done";
  r.detail = req.tool + " ran";
  return r;
}

test_plane_actor::behavior_type
test_plane(test_plane_actor::stateful_pointer<plane_state> self, world_ptr w) {
  return {
    [self, w](act_atom, const action_request& req) -> caf::result<action_result> {
      auto held = w->with([&](world& x) {
        ++x.requests[req.idempotency_key];
        return x.hold.count(req.idempotency_key) != 0;
      });
      auto& key = req.idempotency_key;
      if (auto i = self->state.results.find(key); i != self->state.results.end()) {
        auto r = i->second;
        r.repeated = true;
        return r;
      }
      if (held) {
        auto promise = self->make_response_promise<action_result>();
        self->state.waiting[key].push_back(promise);
        return promise;
      }
      auto r = w->with([&](world& x) { return run_tool(x, req); });
      self->state.results[key] = r;
      return r;
    },
    [](tools_atom) { return std::vector<tool_info>{}; },
    [](audit_atom, const std::string&, uint32_t) { return std::vector<audit_record>{}; },
    [self, w](release_atom, const std::string& key) {
      w->with([&](world& x) { x.hold.erase(key); });
      auto i = self->state.waiting.find(key);
      if (i == self->state.waiting.end())
        return;
      action_request req;
      req.idempotency_key = key;
      req.tool = "restart_service";
      auto r = w->with([&](world& x) { return run_tool(x, req); });
      self->state.results[key] = r;
      for (auto& p : i->second)
        p.deliver(r);
      self->state.waiting.erase(i);
    },
  };
}

registry_actor::behavior_type test_registry(registry_actor::pointer, caf::actor plane) {
  return {
    [](register_atom, const node_registration&) { return std::string{"n1"}; },
    [](heartbeat_atom, const std::string&) { return true; },
    [](nodes_atom) {
      node_info action;
      action.id = "a1";
      action.roles = {"action"};
      action.status = "up";
      return std::vector<node_info>{action};
    },
    [plane](lookup_atom, const std::string& name) {
      return name == "a1/action/plane" ? caf::actor_cast<caf::strong_actor_ptr>(plane)
                                       : caf::strong_actor_ptr{};
    },
  };
}

perception_actor::behavior_type test_perception(perception_actor::pointer, world_ptr w) {
  return {
    [w](signals_atom) {
      return w->with([](world& x) {
        std::vector<signal_value> result;
        for (auto& [name, text] : x.signals) {
          signal_value v;
          v.name = name;
          v.text = text;
          result.push_back(v);
        }
        return result;
      });
    },
  };
}

diagnosis_actor::behavior_type test_diagnosis(diagnosis_actor::pointer, world_ptr w) {
  return {
    [w](diagnose_atom, const incident&) {
      return w->with([](world& x) {
        ++x.diagnoses;
        return x.hypotheses;
      });
    },
    [w](confirm_atom, const hypothesis& h) {
      return w->with([&h](world& x) {
        ++x.confirms;
        auto now = h;
        if (x.cause_gone) {
          now.confidence = 0;
          now.evidence_against.push_back(
            "not confirmed now: probe.target-db.postgres.sqlstate_28P01 above 0: not seen");
        }
        return now;
      });
    },
  };
}

planner_actor::behavior_type test_planner(planner_actor::pointer, world_ptr w) {
  return {
    [w](plan_atom, const incident&, const hypothesis&) {
      return w->with([](world& x) {
        ++x.plans;
        return x.steps;
      });
    },
  };
}

/// A diagnosis that takes the request and dies without answering.
diagnosis_actor::behavior_type dying_diagnosis(diagnosis_actor::pointer self) {
  return {
    [self](diagnose_atom, const incident&) -> caf::result<std::vector<hypothesis>> {
      auto never = self->make_response_promise<std::vector<hypothesis>>();
      self->quit(caf::exit_reason::user_shutdown);
      return never;
    },
    [](confirm_atom, const hypothesis& h) { return h; },
  };
}

/// Every service healthy, with all of its synthetic requests succeeding.
status_board_actor::behavior_type test_board(status_board_actor::pointer) {
  return {
    [](status_atom) {
      std::vector<service_health> result;
      for (auto name : {"shopd", "target-db", "pricingd-primary"}) {
        service_health h;
        h.service = name;
        h.health = "ok";
        h.sli.service = name;
        h.sli.requests = 100;
        h.sli.success_ratio = 1.0;
        result.push_back(h);
      }
      return result;
    },
  };
}

plan_step make_step(const std::string& tool, const json& args, risk_level risk,
                    const std::string& signal,
                    failure_policy on_failure = failure_policy::next_step) {
  plan_step s;
  s.tool = tool;
  s.args = args.dump();
  s.risk = risk;
  s.why = "test";
  s.check = json{{"signal", signal}, {"is", "ok"}, {"within_s", 1}}.dump();
  s.rollback = R"({"none": "test"})";
  s.on_failure = on_failure;
  return s;
}

hypothesis known_cause() {
  hypothesis h;
  h.root_cause = "process_crash";
  h.runbook = "process-exited";
  h.component = "shopd";
  h.title = "shopd is not running";
  h.confidence = 0.9;
  h.evidence_for = {"probe.shopd.process.status is down",
                    "confirmed now: service.shopd.state is killed — shopd process 42 ended"};
  return h;
}

incident problem(std::vector<std::string> services, std::string symptom) {
  incident x;
  x.services = std::move(services);
  x.symptoms = {std::move(symptom)};
  x.started_unix_ms = 1;
  return x;
}

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  world_ptr w = std::make_shared<world>();
  std::shared_ptr<supervision::name_directory> directory
    = std::make_shared<supervision::name_directory>();
  std::string dsn = test::fresh_ops_store();
  agents_context ctx;
  coordinator_settings settings;
  test_plane_actor plane;
  registry_actor registry;
  incidents_actor coordinator;
  safety_actor safety;
  std::vector<caf::actor> spawned;

  fixture() {
    ctx.node_id = "n1";
    ctx.ops_dsn = dsn;
    ctx.directory = directory;
    auto& policy = ctx.config.policy;
    policy.tools["start_service"] = tool_policy{policy_mode::automatic, {}};
    policy.tools["restart_service"] = tool_policy{policy_mode::automatic, {}};
    policy.tools["rotate_db_secret"] = tool_policy{policy_mode::ask, {"shop"}};
    policy.max_restarts = 2;
    policy.approval_timeout_s = 300;
    ctx.config.agents["verifier"] = json{{"settle_s", 0.2}, {"recovery_s", 5}, {"poll_ms", 50}};
    settings.retry_delay = 100ms;
    settings.diagnose_settle = 0ms;
    settings.diagnose_for = 500ms;
    settings.tick = 200ms;
    settings.margin = 5s;
    settings.ask_timeout = 2s;
    settings.merge_window = 0s;
    plane = sys.spawn(test_plane, w);
    registry = sys.spawn(test_registry, caf::actor_cast<caf::actor>(plane));
    auto reg = registry;
    ctx.registry = [reg] { return reg; };
    put("control/agents/perception", sys.spawn(test_perception, w));
    put("control/agents/diagnosis", sys.spawn(test_diagnosis, w));
    put("control/agents/planner", sys.spawn(test_planner, w));
    put("control/status", sys.spawn(test_board));
    w->hypotheses = {known_cause()};
    w->signals["probe.shopd.http.status"] = "down";
    w->effects["start_service"] = {"probe.shopd.http.status", "ok"};
    w->effects["rotate_db_secret"] = {"probe.shopd.http.status", "ok"};
    w->effects["restart_service"] = {"probe.shopd.http.status", "ok"};
    spawned.push_back(caf::actor_cast<caf::actor>(plane));
    spawned.push_back(caf::actor_cast<caf::actor>(registry));
  }

  ~fixture() {
    for (auto& a : spawned)
      self->send_exit(a, caf::exit_reason::kill);
  }

  template <class Handle>
  void put(const std::string& suffix, Handle h) {
    auto a = caf::actor_cast<caf::actor>(h);
    directory->put(ctx.path(suffix), a);
    spawned.push_back(a);
  }

  /// Safety, verifier and coordinator: the parts under test.
  void start_loop() {
    start_safety();
    verifier_settings v;
    v.settle = 200ms;
    v.recovery = 5s;
    v.poll = 50ms;
    put("control/agents/verifier", spawn_verifier(sys, ctx, v));
    start_coordinator();
  }

  void start_safety() {
    safety_settings s;
    s.node_id = ctx.node_id;
    s.policy = ctx.config.policy;
    s.ops_dsn = dsn;
    safety = spawn_safety(sys, s);
    put("control/agents/safety", safety);
  }

  void start_coordinator() {
    coordinator = spawn_coordinator(sys, ctx, settings);
    put("control/incidents", coordinator);
  }

  /// Kills the coordinator as a crash would: no chance to write anything.
  void kill_coordinator() {
    self->send_exit(coordinator, caf::exit_reason::kill);
    self->wait_for(coordinator);
  }

  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& h, Ts&&... xs) {
    caf::expected<T> result{caf::sec::request_timeout};
    self->request(h, 30s, std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); }, [&](caf::error& e) { result = e; });
    return result;
  }

  std::string open(const incident& x) {
    auto id = ask<std::string>(coordinator, open_atom::value, x);
    CAF_REQUIRE(id);
    return *id;
  }

  incident get(const std::string& id) {
    auto x = ask<incident>(coordinator, incident_atom::value, id);
    CAF_REQUIRE(x);
    return *x;
  }

  bool reaches(const std::string& id, incident_state state,
               std::chrono::milliseconds timeout = 20s) {
    auto ok = test::wait_until([&] { return get(id).state == state; }, timeout);
    if (!ok)
      CAF_MESSAGE("incident " << id << " is " << to_string(get(id).state) << ", expected "
                              << to_string(state)
                              << ": " << json(get(id)).dump());
    return ok;
  }

  std::vector<approval> pending() {
    auto r = ask<std::vector<approval>>(safety, approvals_atom::value, true);
    CAF_REQUIRE(r);
    return *r;
  }

  int runs(const std::string& key) {
    return w->with([&](world& x) { return x.runs[key]; });
  }

  int requests(const std::string& key) {
    return w->with([&](world& x) { return x.requests[key]; });
  }

  /// The incident as the ops store holds it (what a restart reads back).
  incident stored(const std::string& id) {
    incident_store store{dsn};
    auto x = store.get(id);
    CAF_REQUIRE(x);
    return *x;
  }
};

std::string key(const std::string& id, int hypothesis, int step) {
  return id + "/h" + std::to_string(hypothesis) + "/s" + std::to_string(step);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(loop_tests, fixture)

CAF_TEST(an incident goes open diagnosed planned acted verified resolved) {
  w->steps = {make_step("start_service", {{"service", "shopd"}}, risk_level::low, "probe.shopd.http.status")};
  start_loop();
  auto id = open(problem({"shopd"}, "probe shopd-http down: connection refused"));
  CAF_REQUIRE(reaches(id, incident_state::resolved));
  auto x = get(id);
  CAF_CHECK_EQUAL(w->diagnoses, 1);
  CAF_CHECK_EQUAL(w->plans, 1);
  CAF_REQUIRE_EQUAL(x.hypotheses.size(), 1u);
  CAF_CHECK_EQUAL(x.hypotheses[0].root_cause, "process_crash");
  CAF_REQUIRE_EQUAL(x.plan.size(), 1u);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "verified");
  CAF_CHECK_EQUAL(x.plan[0].approved_by, "policy");
  CAF_CHECK_EQUAL(x.plan[0].idempotency_key, key(id, 0, 0));
  CAF_CHECK_EQUAL(x.plan[0].result, "start_service ran");
  CAF_CHECK(x.mitigated_unix_ms >= x.opened_unix_ms);
  CAF_CHECK(x.closed_unix_ms > 0);
  CAF_CHECK(x.escalation.empty());
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 1);
  // The ops store holds the same document.
  auto kept = stored(id);
  CAF_CHECK_EQUAL(to_string(kept.state), "resolved");
  CAF_REQUIRE_EQUAL(kept.plan.size(), 1u);
  CAF_CHECK_EQUAL(to_string(kept.plan[0].state), "verified");
  // Listed as closed, not as open.
  auto open_ones = ask<std::vector<incident>>(coordinator, incidents_atom::value, true,
                                              uint32_t{0});
  CAF_REQUIRE(open_ones);
  CAF_CHECK(open_ones->empty());
  auto all = ask<std::vector<incident>>(coordinator, incidents_atom::value, false, uint32_t{0});
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 1u);
}

CAF_TEST(a step whose cause is gone when it would start is skipped and the incident resolves) {
  w->steps = {make_step("rotate_db_secret", {{"role", "shop"}}, risk_level::high, "probe.shopd.http.status")};
  start_loop();
  auto id = open(problem({"shopd", "target-db"}, "password authentication failed"));
  CAF_REQUIRE(test::wait_until([&] { return pending().size() == 1; }, 20s));
  // While it waited for a human, someone set the password back by hand.
  w->with([](world& x) { return x.cause_gone = true; });
  auto request = pending().front();
  CAF_REQUIRE(ask<approval>(safety, decide_atom::value, request.id, true,
                            std::string{"human:alice"}, std::string{"go"}));
  CAF_REQUIRE(reaches(id, incident_state::resolved));
  auto x = get(id);
  CAF_REQUIRE_EQUAL(x.plan.size(), 1u);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "skipped");
  CAF_CHECK_EQUAL(x.plan[0].result,
                  "not run: not confirmed now: probe.target-db.postgres.sqlstate_28P01 above 0: "
                  "not seen");
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 0);
  CAF_CHECK_EQUAL(requests(key(id, 0, 0)), 0);
  CAF_CHECK(w->with([](world& x) { return x.confirms; }) >= 1);
}

CAF_TEST(a risky step waits for approval and runs after it is approved) {
  w->steps = {make_step("rotate_db_secret", {{"role", "shop"}}, risk_level::high, "probe.shopd.http.status")};
  start_loop();
  auto id = open(problem({"shopd", "target-db"}, "password authentication failed"));
  CAF_REQUIRE(test::wait_until([&] { return pending().size() == 1; }, 20s));
  auto waiting = get(id);
  CAF_CHECK_EQUAL(to_string(waiting.state), "awaiting_approval");
  CAF_REQUIRE_EQUAL(waiting.plan.size(), 1u);
  CAF_CHECK_EQUAL(to_string(waiting.plan[0].state), "awaiting_approval");
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 0);
  auto request = pending().front();
  CAF_CHECK_EQUAL(request.incident, id);
  CAF_CHECK_EQUAL(request.tool, "rotate_db_secret");
  // The human sees what the checks made at the decision found.
  auto seen = std::string{"Checked just now: service.shopd.state is killed — shopd process 42 ended"};
  CAF_CHECK(request.why.size() > seen.size()
            && request.why.compare(request.why.size() - seen.size(), seen.size(), seen) == 0);
  // A restarted coordinator asks again for the same step: still one request.
  kill_coordinator();
  start_coordinator();
  CAF_REQUIRE(test::wait_until([&] { return get(id).state == incident_state::awaiting_approval; }, 20s));
  CAF_CHECK_EQUAL(pending().size(), 1u);
  // A malformed decider changes nothing.
  auto bad = ask<approval>(safety, decide_atom::value, request.id, true, std::string{"alice"},
                           std::string{});
  CAF_CHECK(!bad);
  CAF_CHECK_EQUAL(pending().size(), 1u);
  auto decided = ask<approval>(safety, decide_atom::value, request.id, true,
                               std::string{"human:alice"}, std::string{"go"});
  CAF_REQUIRE(decided);
  CAF_CHECK_EQUAL(to_string(decided->state), "approved");
  CAF_CHECK_EQUAL(decided->decided_by, "human:alice");
  CAF_REQUIRE(reaches(id, incident_state::resolved));
  auto x = get(id);
  CAF_CHECK_EQUAL(x.plan[0].approved_by, "human:alice");
  CAF_CHECK_EQUAL(x.plan[0].approval_id, request.id);
  CAF_CHECK(x.approval_wait_ms > 0);
  CAF_CHECK_EQUAL(x.approval_wait_ms, x.plan[0].approval_wait_ms);
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 1);
  CAF_CHECK(pending().empty());
}

CAF_TEST(a rejected step does not run and the incident escalates) {
  w->steps = {make_step("rotate_db_secret", {{"role", "shop"}}, risk_level::high, "probe.shopd.http.status")};
  start_loop();
  auto id = open(problem({"shopd"}, "password authentication failed"));
  CAF_REQUIRE(test::wait_until([&] { return pending().size() == 1; }, 20s));
  auto request = pending().front();
  auto decided = ask<approval>(safety, decide_atom::value, request.id, false,
                               std::string{"human:bob"}, std::string{"not during the sale"});
  CAF_REQUIRE(decided);
  CAF_CHECK_EQUAL(to_string(decided->state), "rejected");
  CAF_REQUIRE(reaches(id, incident_state::escalated));
  auto x = get(id);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "rejected");
  CAF_CHECK(x.escalation.find("rejected by human:bob") != std::string::npos);
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 0);
  CAF_CHECK_EQUAL(requests(key(id, 0, 0)), 0);
  // Decided once, for good.
  auto again = ask<approval>(safety, decide_atom::value, request.id, true,
                             std::string{"human:carol"}, std::string{});
  CAF_REQUIRE(!again);
  CAF_CHECK_EQUAL(again.error().code(), static_cast<uint8_t>(incident_error::already_decided));
  // Ids stay unique across a restart of the safety agent.
  self->send_exit(safety, caf::exit_reason::kill);
  self->wait_for(safety);
  start_safety();
  auto all = ask<std::vector<approval>>(safety, approvals_atom::value, false);
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 1u);
  CAF_CHECK_EQUAL(all->front().decided_by, "human:bob");
  CAF_CHECK_EQUAL(all->front().reason, "not during the sale");
  incident_store store{dsn};
  CAF_CHECK_NOT_EQUAL(store.next_approval_id(), request.id);
}

CAF_TEST(a problem that ends while its step waits for a human resolves without the step) {
  w->steps = {make_step("rotate_db_secret", {{"role", "shop"}}, risk_level::high, "probe.shopd.http.status")};
  start_loop();
  auto id = open(problem({"shopd"}, "password authentication failed"));
  CAF_REQUIRE(test::wait_until([&] { return pending().size() == 1; }, 20s));
  auto request = pending().front();
  // Perception: the incident's services have been healthy for its quiet time.
  self->send(coordinator, over_atom::value, id);
  CAF_REQUIRE(reaches(id, incident_state::resolved));
  auto x = get(id);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "rejected");
  CAF_CHECK(x.plan[0].result.find("the problem ended before anyone decided") != std::string::npos);
  CAF_CHECK(x.mitigated_unix_ms > 0);
  CAF_CHECK(x.escalation.empty());
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 0);
  CAF_CHECK_EQUAL(requests(key(id, 0, 0)), 0);
  auto all = ask<std::vector<approval>>(safety, approvals_atom::value, false);
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 1u);
  CAF_CHECK_EQUAL(all->front().id, request.id);
  CAF_CHECK_EQUAL(to_string(all->front().state), "rejected");
  CAF_CHECK_EQUAL(all->front().decided_by, "vigil:perception");
  // Told again, or about an unknown incident: nothing changes.
  self->send(coordinator, over_atom::value, id);
  self->send(coordinator, over_atom::value, std::string{"inc-0-0"});
  CAF_CHECK_EQUAL(to_string(get(id).state), "resolved");
  auto after = ask<std::vector<approval>>(safety, approvals_atom::value, false);
  CAF_REQUIRE(after);
  CAF_CHECK_EQUAL(after->size(), 1u);
}

CAF_TEST(an approval nobody answers expires and the incident escalates) {
  ctx.config.policy.approval_timeout_s = 1;
  w->steps = {make_step("rotate_db_secret", {{"role", "shop"}}, risk_level::high, "probe.shopd.http.status")};
  start_loop();
  auto id = open(problem({"shopd"}, "password authentication failed"));
  CAF_REQUIRE(reaches(id, incident_state::escalated));
  auto x = get(id);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "expired");
  CAF_CHECK(x.escalation.find("expired") != std::string::npos);
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 0);
  auto all = ask<std::vector<approval>>(safety, approvals_atom::value, false);
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 1u);
  CAF_CHECK_EQUAL(to_string(all->front().state), "expired");
  CAF_CHECK_EQUAL(all->front().decided_by, "timeout");
}

CAF_TEST(restart intensity refuses the step and the incident escalates) {
  // Restarts that never bring the service back: the third one is refused.
  auto restart = make_step("restart_service", {{"service", "shopd"}}, risk_level::low,
                           "probe.shopd.process.status");
  w->steps = {restart, restart, restart};
  start_loop();
  auto id = open(problem({"shopd"}, "shopd keeps dying"));
  CAF_REQUIRE(reaches(id, incident_state::escalated));
  auto x = get(id);
  CAF_REQUIRE_EQUAL(x.plan.size(), 3u);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "not_verified");
  CAF_CHECK_EQUAL(to_string(x.plan[1].state), "not_verified");
  CAF_CHECK_EQUAL(to_string(x.plan[2].state), "refused");
  CAF_CHECK(x.escalation.find("restart_intensity") != std::string::npos);
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 1);
  CAF_CHECK_EQUAL(runs(key(id, 0, 1)), 1);
  CAF_CHECK_EQUAL(runs(key(id, 0, 2)), 0);
}

CAF_TEST(a coordinator killed mid incident resumes without repeating a step) {
  // Step 0 runs but does not fix it; step 1 is running when the coordinator dies.
  w->steps = {make_step("start_service", {{"service", "shopd"}}, risk_level::low, "probe.shopd.process.status"),
              make_step("restart_service", {{"service", "shopd"}}, risk_level::low,
                        "probe.shopd.http.status")};
  w->effects["start_service"] = {"probe.shopd.process.status", "down"};
  start_loop();
  auto id = open(problem({"shopd"}, "probe shopd-http down"));
  w->with([&](world& x) { x.hold.insert(key(id, 0, 1)); });
  CAF_REQUIRE(test::wait_until([&] { return requests(key(id, 0, 1)) == 1; }, 20s));
  auto kept = stored(id);
  CAF_REQUIRE_EQUAL(kept.plan.size(), 2u);
  CAF_CHECK_EQUAL(to_string(kept.plan[0].state), "not_verified");
  CAF_CHECK_EQUAL(to_string(kept.plan[1].state), "running");
  kill_coordinator();
  start_coordinator();
  // The new coordinator sends the running step again, with the same key.
  CAF_REQUIRE(test::wait_until([&] { return requests(key(id, 0, 1)) == 2; }, 20s));
  self->send(plane, release_atom::value, key(id, 0, 1));
  CAF_REQUIRE(reaches(id, incident_state::resolved));
  auto x = get(id);
  CAF_CHECK_EQUAL(to_string(x.plan[0].state), "not_verified");
  CAF_CHECK_EQUAL(to_string(x.plan[1].state), "verified");
  CAF_CHECK_EQUAL(requests(key(id, 0, 0)), 1);
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 1);
  CAF_CHECK_EQUAL(runs(key(id, 0, 1)), 1);
  CAF_CHECK_EQUAL(w->diagnoses, 1);
  CAF_CHECK_EQUAL(w->plans, 1);
  auto all = ask<std::vector<incident>>(coordinator, incidents_atom::value, false, uint32_t{0});
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 1u);
}

CAF_TEST(problems sharing a service make one incident and a paused loop does not act) {
  w->steps = {make_step("start_service", {{"service", "shopd"}}, risk_level::low, "probe.shopd.http.status")};
  start_loop();
  auto paused = ask<bool>(coordinator, pause_atom::value, true);
  CAF_REQUIRE(paused);
  CAF_CHECK(*paused);
  auto db = open(problem({"target-db"}, "probe target-db-postgres down"));
  auto shop = open(problem({"shopd", "target-db"}, "probe shopd-http 503"));
  CAF_CHECK_EQUAL(db, shop);
  auto other = open(problem({"pricingd-primary"}, "probe pricingd-primary down"));
  CAF_CHECK_NOT_EQUAL(other, db);
  auto x = get(db);
  CAF_CHECK_EQUAL(x.services, (std::vector<std::string>{"target-db", "shopd"}));
  CAF_CHECK_EQUAL(x.symptoms.size(), 2u);
  // Diagnosed and planned, but nothing acts while paused.
  CAF_REQUIRE(test::wait_until([&] { return get(db).state == incident_state::acting; }, 20s));
  CAF_CHECK_EQUAL(requests(key(db, 0, 0)), 0);
  // A restart keeps the pause.
  kill_coordinator();
  start_coordinator();
  incident_store store{dsn};
  auto kept = store.setting("paused");
  CAF_CHECK(kept && *kept == "true");
  auto after = get(db);
  CAF_CHECK_EQUAL(to_string(after.state), "acting");
  CAF_CHECK_EQUAL(requests(key(db, 0, 0)), 0);
  auto resumed = ask<bool>(coordinator, pause_atom::value, false);
  CAF_REQUIRE(resumed);
  CAF_CHECK(!*resumed);
  CAF_REQUIRE(reaches(db, incident_state::resolved));
  CAF_REQUIRE(reaches(other, incident_state::resolved));
  CAF_CHECK_EQUAL(runs(key(db, 0, 0)), 1);
}

CAF_TEST(an unknown root cause escalates with what was gathered) {
  hypothesis unknown;
  unknown.root_cause = "unknown";
  unknown.confidence = 0.1;
  w->hypotheses = {unknown};
  start_loop();
  auto id = open(problem({"shopd"}, "something odd"));
  CAF_REQUIRE(reaches(id, incident_state::escalated));
  auto x = get(id);
  CAF_CHECK(x.plan.empty());
  CAF_CHECK_EQUAL(w->plans, 0);
  CAF_CHECK(x.escalation.find("something odd") != std::string::npos);
  // Bad input gets an error and changes nothing.
  CAF_CHECK(!ask<std::string>(coordinator, open_atom::value, incident{}));
  CAF_CHECK(!ask<incident>(coordinator, incident_atom::value, std::string{"inc-nope"}));
}

CAF_TEST(a diagnosis that dies mid request is retried) {
  w->steps = {make_step("start_service", {{"service", "shopd"}}, risk_level::low, "probe.shopd.http.status")};
  // The first diagnosis never answers and dies; the second one works.
  auto silent = sys.spawn(dying_diagnosis);
  directory->put(ctx.path("control/agents/diagnosis"), caf::actor_cast<caf::actor>(silent));
  start_loop();
  auto id = open(problem({"shopd"}, "probe shopd-http down"));
  self->wait_for(silent);
  put("control/agents/diagnosis", sys.spawn(test_diagnosis, w));
  CAF_REQUIRE(reaches(id, incident_state::resolved));
  CAF_CHECK_EQUAL(w->diagnoses, 1);
  CAF_CHECK_EQUAL(runs(key(id, 0, 0)), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
