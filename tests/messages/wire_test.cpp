// Sends every wire type between two real node processes and checks that it
// comes back intact: a type missing from announce_messages() arrives empty.
#define CAF_SUITE wire

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

#include "messages/actions.hpp"
#include "messages/actions_json.hpp"
#include "messages/admin.hpp"
#include "messages/chaos.hpp"
#include "messages/incidents.hpp"
#include "messages/incidents_json.hpp"
#include "messages/observability.hpp"
#include "messages/announce.hpp"
#include "messages/registry.hpp"
#include "messages/services.hpp"
#include "messages/supervision.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    load<caf::io::middleman>();
    announce_messages(*this);
  }
};

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::string dir = test::make_temp_dir("vigil-wire");
  test::child_process peer{{WIRE_ECHO_BINARY}, dir + "/echo.log"};
  caf::actor echo;
  caf::actor local = sys.spawn([] { return caf::behavior{[](int) {}}; });

  fixture() {
    uint16_t port = 0;
    auto published = test::wait_until(
      [&] {
        // The log may hold sanitizer reports too; find the port line.
        auto log = "\n" + test::read_file(peer.log_path());
        auto at = log.find("\nport ");
        if (at == std::string::npos || log.find('\n', at + 1) == std::string::npos)
          return false;
        port = static_cast<uint16_t>(std::stoi(log.substr(at + 6)));
        return true;
      },
      10s);
    CAF_REQUIRE(published);
    auto remote = sys.middleman().remote_actor("127.0.0.1", port);
    CAF_REQUIRE(remote);
    echo = *remote;
  }

  ~fixture() { caf::anon_send_exit(local, caf::exit_reason::user_shutdown); }

  /// Sends `value` to the other process and returns what came back.
  template <class T>
  T round_trip(const T& value) {
    T result{};
    bool arrived = false;
    self->request(echo, 5s, value)
      .receive(
        [&](T& x) {
          result = std::move(x);
          arrived = true;
        },
        [&](caf::error& err) { CAF_FAIL("round trip failed: " << sys.render(err)); });
    CAF_REQUIRE(arrived);
    return result;
  }

  caf::strong_actor_ptr local_ptr() { return caf::actor_cast<caf::strong_actor_ptr>(local); }
};

tree_node sample_tree() {
  tree_node leaf{"n1/control/registry", "worker", "", "permanent", "running", 2,
                 "exit_reason(kill)", 1764200000123, {}};
  tree_node role{"n1/control", "supervisor", "one_for_one", "permanent", "running", 0, "", 0,
                 {leaf}};
  return {"n1", "supervisor", "rest_for_one", "permanent", "running", 0, "", 0, {role, leaf}};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(wire_tests, fixture)

CAF_TEST(supervision types cross intact) {
  auto tree = sample_tree();
  CAF_CHECK(round_trip(tree) == tree);
  std::vector<tree_node> forest{tree, tree.children[0]};
  CAF_CHECK(round_trip(forest) == forest);
  auto sup = caf::actor_cast<supervisor_actor>(local);
  CAF_CHECK(round_trip(sup) == sup);
}

CAF_TEST(registry types cross intact) {
  actor_entry entry{"n1/admin", local_ptr()};
  CAF_CHECK(round_trip(entry) == entry);
  node_registration reg{"n1", "10.0.0.1", 4200, {"control", "probe"}, 1764200000000,
                        {entry, {"n1/membership", nullptr}}};
  CAF_CHECK(round_trip(reg) == reg);
  node_info info{"n2", "10.0.0.2", 4201, {"chaos"}, "down", "connection lost",
                 1764200000001, 1764200000002, {"n2/admin", "n2/membership"}};
  CAF_CHECK(round_trip(info) == info);
  std::vector<node_info> infos{info, info};
  infos[1].id = "n3";
  CAF_CHECK(round_trip(infos) == infos);
  auto registry = caf::actor_cast<registry_actor>(local);
  CAF_CHECK(round_trip(registry) == registry);
}

CAF_TEST(admin types cross intact) {
  ping_result ping{"n2", 231};
  CAF_CHECK(round_trip(ping) == ping);
  admin_ack ack{"n2/admin", "n2", "sent exit_reason::kill"};
  CAF_CHECK(round_trip(ack) == ack);
  auto admin = caf::actor_cast<admin_actor>(local);
  CAF_CHECK(round_trip(admin) == admin);
}

CAF_TEST(whole requests with atoms cross intact) {
  node_registration reg{"n1", "h", 1, {"control"}, 7, {}};
  bool arrived = false;
  self->request(echo, 5s, register_atom::value, reg)
    .receive(
      [&](register_atom, node_registration& got) {
        CAF_CHECK(got == reg);
        arrived = true;
      },
      [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK(arrived);
  // Errors travel inside a message here: a reply of a bare error would be
  // taken for a failed request.
  arrived = false;
  self
    ->request(echo, 5s, int32_t{1}, caf::make_error(admin_error::node_down, "n2 is down"),
              caf::make_error(supervision_error::restart_intensity_exceeded))
    .receive(
      [&](int32_t, caf::error& down, caf::error& intensity) {
        CAF_CHECK_EQUAL(down, admin_error::node_down);
        CAF_CHECK_EQUAL(sys.render(down), "admin::node_down: n2 is down");
        CAF_CHECK_EQUAL(intensity, supervision_error::restart_intensity_exceeded);
        arrived = true;
      },
      [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK(arrived);
}

CAF_TEST(service types cross intact) {
  service_status st{"shopd", "killed", 4242, -1, 9, true, 2, 1764200000000, 1764200000500,
                    0, "/var/log/shopd.log", false, "killed by SIGKILL (OOM kill)"};
  CAF_CHECK(round_trip(st) == st);
  std::vector<service_status> all{st, st};
  all[1].name = "pricingd";
  all[1].state = "running";
  CAF_CHECK(round_trip(all) == all);
  auto manager = caf::actor_cast<service_manager_actor>(local);
  CAF_CHECK(round_trip(manager) == manager);
  bool arrived = false;
  self
    ->request(echo, 5s, svc_restart_atom::value, std::string{"shopd"},
              caf::make_error(service_error::not_running, "shopd is stopped"))
    .receive(
      [&](svc_restart_atom, std::string& name, caf::error& err) {
        CAF_CHECK_EQUAL(name, "shopd");
        CAF_CHECK_EQUAL(sys.render(err), "services::not_running: shopd is stopped");
        arrived = true;
      },
      [&](caf::error& err) { CAF_FAIL(sys.render(err)); });
  CAF_CHECK(arrived);
}

CAF_TEST(chaos types cross intact) {
  fault_kind kind{"latency", "db_latency", "safe", "target-db", "delays replies", "removes it",
                  false, 60, {{"delay_ms", "int", 1, 30000, {}, "500", "added delay"},
                              {"mode", "choice", 0, 0, {"a", "b"}, "a", "how"}},
                  {{"reset_db_proxy", ""}, {"restart_service", "dbproxy"}}};
  CAF_CHECK(round_trip(kind) == kind);
  std::vector<fault_kind> kinds{kind, kind};
  CAF_CHECK(round_trip(kinds) == kinds);
  injection_request req{"lock", R"({"table":"orders"})", 30, true, "vigilctl"};
  CAF_CHECK(round_trip(req) == req);
  active_fault a{"f-1", "lock", "db_lock_contention", "target-db", "{}", "http", 1, 2, "held"};
  CAF_CHECK(round_trip(a) == a);
  std::vector<active_fault> as{a};
  CAF_CHECK(round_trip(as) == as);
  chaos_event e{7, "f-1", "lock", "db_lock_contention", "revert", "{}", "scheduler", 3, "done"};
  CAF_CHECK(round_trip(e) == e);
  std::vector<chaos_event> es{e, e};
  CAF_CHECK(round_trip(es) == es);
  chaos_schedule s{true, 12.5, {"lock", "latency"}, 2, 5, 9, 42};
  CAF_CHECK(round_trip(s) == s);
  auto controller = caf::actor_cast<chaos_actor>(local);
  CAF_CHECK(round_trip(controller) == controller);
}

CAF_TEST(observability types cross intact) {
  event ev{"control-1/bus:7", "probe.shopd-http", "action-1/probe/manager", 1700000000123,
           "error", "shopd /readyz answers 503", R"({"status":503})"};
  CAF_CHECK(round_trip(ev) == ev);
  std::vector<event> evs{ev, ev};
  CAF_CHECK(round_trip(evs) == evs);
  probe_result pr{"target-db", "postgres", "target-db", "down", "password authentication failed",
                  3.5, 1700000000456, {{"connections", 12}, {"waiting_locks", 2}}};
  CAF_CHECK(round_trip(pr) == pr);
  std::vector<probe_result> prs{pr};
  CAF_CHECK(round_trip(prs) == prs);
  sli_snapshot sli{"shopd", 1700000001000, 5000, 100, 3, 0.97, 4.5, 20.25, 80};
  CAF_CHECK(round_trip(sli) == sli);
  service_health h{"shopd", "degraded", "HTTP 503", 1700000000000, {"shopd-ready"}, sli};
  std::vector<service_health> hs{h, h};
  CAF_CHECK(round_trip(hs) == hs);
  metric_sample m{"shopd_http_requests_total{code=\"200\"}", 42, 1700000000000};
  std::vector<metric_sample> ms{m};
  CAF_CHECK(round_trip(ms) == ms);
  bus_stats st{10, 2, 8, 1, 1, false, "connection refused"};
  CAF_CHECK(round_trip(st) == st);
  knowledge_hit hit{"db-password-mismatch", "runbook", "The app cannot log in", "db_auth",
                    0.75, "password **authentication** failed"};
  std::vector<knowledge_hit> hits{hit};
  CAF_CHECK(round_trip(hits) == hits);
  knowledge_doc doc{"stack-shopd", "doc", "shopd", "", "config/knowledge/shopd.md", "{}", "# shopd"};
  CAF_CHECK(round_trip(doc) == doc);
  auto bus = caf::actor_cast<event_bus_actor>(local);
  CAF_CHECK(round_trip(bus) == bus);
  auto probes = caf::actor_cast<probe_manager_actor>(local);
  CAF_CHECK(round_trip(probes) == probes);
  auto traffic = caf::actor_cast<traffic_actor>(local);
  CAF_CHECK(round_trip(traffic) == traffic);
  auto board = caf::actor_cast<status_board_actor>(local);
  CAF_CHECK(round_trip(board) == board);
  auto knowledge = caf::actor_cast<knowledge_actor>(local);
  CAF_CHECK(round_trip(knowledge) == knowledge);
}

CAF_TEST(action types cross intact and survive JSON) {
  action_request req{"restart_service", R"({"service":"shopd"})", "inc-1/h0/s0", "inc-1",
                     "agent:planner", "policy"};
  CAF_CHECK(round_trip(req) == req);
  CAF_CHECK(nlohmann::json(req).get<action_request>() == req);
  action_result res{"inc-1/h0/s0", "restart_service", "done", "shopd restarted",
                    R"({"pid":4711})", 1700000000000, 1700000000820, true};
  CAF_CHECK(round_trip(res) == res);
  CAF_CHECK(nlohmann::json(res).get<action_result>() == res);
  std::vector<tool_info> tools{{"clear_cache", "low", "Empties shopd's price cache", "none"}};
  CAF_CHECK(round_trip(tools) == tools);
  std::vector<audit_record> audit{{7, "after", "k", "clear_cache", "{}", "inc-1", "agent:planner",
                                   "policy", "done", "cleared 12 entries", 1700000000000}};
  CAF_CHECK(round_trip(audit) == audit);
  auto plane = caf::actor_cast<action_plane_actor>(local);
  CAF_CHECK(round_trip(plane) == plane);
}

CAF_TEST(incident types cross intact and survive JSON) {
  hypothesis h{"process_crash", "process-exited", "shopd is down", 0.9,
               {"probe.shopd.http.status is down"}, {"log has no OOM"}, {"web"}, "shopd",
               {{"$service", "shopd"}, {"$kind", "http_service"}}};
  plan_step step;
  step.index = 1;
  step.tool = "start_service";
  step.args = R"({"service":"shopd"})";
  step.risk = risk_level::low;
  step.state = step_state::verified;
  step.approval_wait_ms = 1500;
  incident inc;
  inc.id = "inc-1700000000000-1";
  inc.services = {"shopd"};
  inc.symptoms = {"probe shopd-health down"};
  inc.hypotheses = {h};
  inc.plan = {step};
  inc.opened_unix_ms = 1700000000000;
  CAF_CHECK(round_trip(inc) == inc);
  CAF_CHECK(nlohmann::json(inc).get<incident>() == inc);
  std::vector<incident> incs{inc, inc};
  CAF_CHECK(round_trip(incs) == incs);
  std::vector<signal_value> sigs{{"probe.shopd.http.status", "down", 0, false, 1700000000000}};
  CAF_CHECK(round_trip(sigs) == sigs);
  approval a{"apr-1", inc.id, 0, "rotate_db_secret", R"({"role":"shop"})", risk_level::high, "why",
             approval_state::pending, 1, 2, 0, "", ""};
  std::vector<approval> as{a};
  CAF_CHECK(round_trip(as) == as);
  CAF_CHECK(nlohmann::json(a).get<approval>() == a);
  CAF_CHECK(round_trip(caf::actor_cast<incidents_actor>(local))
            == caf::actor_cast<incidents_actor>(local));
  CAF_CHECK(round_trip(caf::actor_cast<safety_actor>(local))
            == caf::actor_cast<safety_actor>(local));
}

CAF_TEST(every state has one spelling and an unknown word is refused) {
  for (auto x : {incident_state::open, incident_state::awaiting_approval, incident_state::escalated})
    CAF_CHECK(parse_incident_state(to_string(x)) == x);
  for (auto x : {step_state::planned, step_state::expired, step_state::not_verified,
                 step_state::skipped})
    CAF_CHECK(parse_step_state(to_string(x)) == x);
  CAF_CHECK_EQUAL(to_string(step_state::not_verified), "not_verified");
  CAF_CHECK_EQUAL(to_string(failure_policy::next_hypothesis), "next_hypothesis");
  CAF_CHECK(!parse_failure_policy("next-step")); // a misspelling is no policy
  CAF_CHECK(!parse_risk_level("medium"));
  // A stored document with a word no state has does not load as some state.
  plan_step step;
  auto doc = nlohmann::json(step);
  CAF_CHECK_EQUAL(doc["state"], "planned");
  CAF_CHECK_EQUAL(doc["on_failure"], "next_step");
  doc["on_failure"] = "next_stpe";
  std::string error;
  try {
    doc.get<plan_step>();
  } catch (const std::exception& e) {
    error = e.what();
  }
  CAF_CHECK_EQUAL(error, "unknown on_failure 'next_stpe'");
}

CAF_TEST_FIXTURE_SCOPE_END()
