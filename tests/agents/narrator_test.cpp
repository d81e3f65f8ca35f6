// The narrator as the control node runs it: a brief reaches a real webhook
// peer as Slack-compatible JSON, a slow or dead webhook blocks nothing, a
// closed incident's postmortem is written with every section, stored in a
// real Postgres and found again by knowledge search, bad requests change
// nothing, and an ops store that is down still gets the files written.
#define CAF_SUITE narrator

#include <filesystem>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "actors/agents/narrator.hpp"
#include "actors/agents/postmortem_store.hpp"
#include "actors/knowledge/knowledge_store.hpp"
#include "http/server.hpp"
#include "messages/announce.hpp"
#include "tests/actors/knowledge/ops_store.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using json = nlohmann::json;

namespace {

struct test_config : caf::actor_system_config {
  test_config() {
    announce_messages(*this);
  }
};

/// A chat service: records what is posted to /hook; /slow holds each
/// request until released.
class webhook_peer {
public:
  webhook_peer() : server_(http::server::options{}) {
    server_.route("POST", "/hook", [this](const http::request& req, http::responder respond) {
      {
        std::lock_guard<std::mutex> guard{mtx_};
        bodies_.push_back(req.body);
      }
      respond(http::text(200, "ok"));
    });
    // Holds each request (without holding the server's thread) until released.
    server_.route("POST", "/slow", [this](const http::request&, http::responder respond) {
      std::lock_guard<std::mutex> guard{mtx_};
      ++slow_requests_;
      if (released_)
        respond(http::text(200, "late"));
      else
        held_.push_back(std::move(respond));
    });
    server_.route("POST", "/broken", [](const http::request&, http::responder respond) {
      respond(http::error(500, "chat is broken"));
    });
    port_ = server_.start();
  }

  ~webhook_peer() {
    release();
    server_.stop();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> guard{mtx_};
    return bodies_;
  }

  int slow_requests() {
    std::lock_guard<std::mutex> guard{mtx_};
    return slow_requests_;
  }

  void release() {
    std::vector<http::responder> held;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      released_ = true;
      held.swap(held_);
    }
    for (auto& respond : held)
      respond(http::text(200, "late"));
  }

private:
  std::mutex mtx_;
  std::vector<http::responder> held_;
  bool released_ = false;
  int slow_requests_ = 0;
  std::vector<std::string> bodies_;
  http::server server_;
  uint16_t port_ = 0;
};

incident sample_incident(const std::string& id, const std::string& state) {
  incident inc;
  inc.id = id;
  inc.state = parse_incident_state(state).value();
  inc.title = "shopd down: connection refused";
  inc.services = {"shopd", "web"};
  inc.symptoms = {"probe shopd-health down: connection refused",
                  "probe shopd-process down: exited (signal 9)"};
  inc.started_unix_ms = 1'700'000'000'000;
  inc.opened_unix_ms = inc.started_unix_ms + 1'200;
  hypothesis h;
  h.root_cause = "process_crash";
  h.runbook = "process-exited";
  h.component = "shopd";
  h.title = "The shop API process is gone";
  h.confidence = 0.87;
  h.evidence_for = {"probe.shopd.process.status is down", "log.shopd has no shutdown line"};
  h.evidence_against = {"probe.target-db.postgres.status is ok"};
  h.blast_radius = {"web"};
  hypothesis other;
  other.root_cause = "memory_exhaustion";
  other.confidence = 0.2;
  inc.hypotheses = {h, other};
  plan_step s;
  s.index = 0;
  s.tool = "restart_service";
  s.args = R"({"service":"shopd"})";
  s.risk = risk_level::high;
  s.why = "Start the crashed process again.";
  s.state = step_state::verified;
  s.idempotency_key = id + "/h0/s0";
  s.approval_id = "apr-1";
  s.approved_by = "human:alice";
  s.approval_wait_ms = 4'000;
  s.started_unix_ms = inc.opened_unix_ms + 6'000;
  s.finished_unix_ms = s.started_unix_ms + 900;
  s.result = "shopd restarted (pid 4711), ready in 820 ms";
  s.verification = "shopd-health ok for 5 s";
  inc.plan = {s};
  inc.approval_wait_ms = 4'000;
  // As the coordinator samples it.
  inc.baseline = R"({"taken_unix_ms": 1699999990000, "services": {"shopd": {"health": "ok",
                   "at_unix_ms": 1699999990000, "success_ratio": 1.0, "p95_ms": 12}}})";
  if (state == "resolved" || state == "escalated") {
    inc.mitigated_unix_ms = s.finished_unix_ms + 3'000;
    inc.closed_unix_ms = inc.mitigated_unix_ms + 10;
  }
  return inc;
}

struct fixture {
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  std::string reports = test::make_temp_dir("vigil-narrator") + "/reports";
  std::vector<caf::actor> spawned;

  ~fixture() {
    for (auto& a : spawned)
      self->send_exit(a, caf::exit_reason::user_shutdown);
  }

  narrator_actor spawn(std::vector<webhook_config> hooks, std::string dsn = "",
                       std::shared_ptr<supervision::name_directory> dir = nullptr) {
    agents::narrator_settings s;
    s.node_id = "test";
    s.reports_dir = reports;
    s.ops_dsn = std::move(dsn);
    s.webhooks = std::move(hooks);
    s.webhook_timeout = 30s; // the slow webhook is released by the test, not by a timeout
    s.directory = std::move(dir);
    s.retry_every = 200ms;
    auto n = agents::spawn_narrator(sys, s);
    spawned.push_back(caf::actor_cast<caf::actor>(n));
    return n;
  }

  /// The reply text, or the error's code (none when it succeeded).
  template <class... Ts>
  std::pair<std::string, incident_error> ask(const narrator_actor& n, Ts... xs) {
    std::string result;
    auto code = incident_error::none;
    self->request(n, 60s, xs...)
      .receive([&](std::string& x) { result = std::move(x); },
               [&](caf::error& e) {
                 CAF_CHECK_EQUAL(e.category(), caf::atom("incident"));
                 code = static_cast<incident_error>(e.code());
               });
    return {result, code};
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(narrator_tests, fixture)

CAF_TEST(a brief is answered as Markdown and posted to the webhook as Slack JSON) {
  webhook_peer peer;
  auto n = spawn({{"ops", peer.url("/hook")}});
  auto [brief, code] = ask(n, brief_atom::value, sample_incident("inc-1-1", "acting"));
  CAF_REQUIRE_EQUAL(code, incident_error::none);
  CAF_CHECK_NOT_EQUAL(brief.find("**What broke:** shopd, web"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(brief.find("The shop API process is gone (`process_crash`, confidence 87 %)"),
                      std::string::npos);
  CAF_CHECK_NOT_EQUAL(brief.find("approved by human:alice"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(brief.find("**Evidence:** probe.shopd.process.status is down"),
                      std::string::npos);
  CAF_REQUIRE(test::wait_until([&] { return peer.bodies().size() == 1; }, 10s));
  auto posted = json::parse(peer.bodies().front(), nullptr, false);
  CAF_REQUIRE(posted.is_object());
  CAF_CHECK(posted["text"].is_string());
  CAF_CHECK_NOT_EQUAL(posted["text"].get<std::string>().find("inc-1-1"), std::string::npos);
  // Slack's mrkdwn: single stars for bold.
  CAF_CHECK_EQUAL(posted["text"].get<std::string>().find("**"), std::string::npos);
  CAF_REQUIRE(posted["blocks"].is_array());
  CAF_CHECK_EQUAL(posted["blocks"][0]["type"], "section");
}

CAF_TEST(a slow or dead webhook blocks neither the narrator nor the other webhooks) {
  webhook_peer peer;
  auto dead = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/hook";
  auto n = spawn({{"slow", peer.url("/slow")},
                  {"dead", dead},
                  {"broken", peer.url("/broken")},
                  {"ops", peer.url("/hook")}});
  for (int i = 0; i < 3; ++i) {
    auto [brief, code] = ask(n, brief_atom::value,
                             sample_incident("inc-2-" + std::to_string(i), "open"));
    CAF_CHECK_EQUAL(code, incident_error::none);
    CAF_CHECK(!brief.empty());
  }
  // Every brief reached the healthy webhook while the slow one still holds the first.
  CAF_CHECK(test::wait_until([&] { return peer.bodies().size() == 3; }, 10s));
  CAF_CHECK_EQUAL(peer.slow_requests(), 1);
  peer.release();
  CAF_CHECK(test::wait_until([&] { return peer.slow_requests() == 3; }, 10s));
}

CAF_TEST(a closed incident gets a postmortem written stored and found by knowledge search) {
  auto dsn = test::fresh_ops_store();
  // A status board with the services as they are now.
  auto directory = std::make_shared<supervision::name_directory>();
  auto board = sys.spawn([]() -> status_board_actor::behavior_type {
    return {[](status_atom) {
      service_health shopd;
      shopd.service = "shopd";
      shopd.health = "ok";
      shopd.sli.service = "shopd";
      shopd.sli.requests = 120;
      shopd.sli.success_ratio = 0.99;
      shopd.sli.p95_ms = 14;
      return std::vector<service_health>{shopd};
    }};
  });
  spawned.push_back(caf::actor_cast<caf::actor>(board));
  directory->put("test/control/status", caf::actor_cast<caf::actor>(board));
  auto n = spawn({}, dsn, directory);
  auto inc = sample_incident("inc-3-1", "resolved");
  auto [path, code] = ask(n, postmortem_atom::value, inc);
  CAF_REQUIRE_EQUAL(code, incident_error::none);
  CAF_CHECK_EQUAL(path, reports + "/inc-3-1.md");
  auto md = test::read_file(path);
  for (auto* section : {"# Postmortem inc-3-1", "## Summary", "## Timeline", "## Root cause",
                        "## Actions", "## Approvals", "## Before and after", "## Follow-ups"})
    if (md.find(section) == std::string::npos)
      CAF_FAIL("no section " << section << " in the postmortem");
  CAF_CHECK_NOT_EQUAL(md.find("human:alice, apr-1, waited 4.0 s"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(md.find("| shopd.health | ok | ok |"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(md.find("| shopd.requests | - | 120 |"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(md.find("incident opened (detected)"), std::string::npos);
  auto doc = json::parse(test::read_file(reports + "/inc-3-1.json"), nullptr, false);
  CAF_REQUIRE(doc.is_object());
  CAF_CHECK_EQUAL(doc["root_cause"]["root_cause"], "process_crash");
  CAF_CHECK_EQUAL(doc["after"]["services"]["shopd"]["health"], "ok");
  CAF_CHECK_EQUAL(md.find("at_unix_ms"), std::string::npos);
  CAF_CHECK_EQUAL(doc["incident"]["id"], "inc-3-1");
  // The timeline is in time order: first symptom ... closed.
  auto& timeline = doc["timeline"];
  CAF_REQUIRE(timeline.size() >= 6u);
  for (size_t i = 1; i < timeline.size(); ++i)
    CAF_CHECK_LESS_OR_EQUAL(timeline[i - 1]["at_unix_ms"].get<int64_t>(),
                            timeline[i]["at_unix_ms"].get<int64_t>());
  // Stored in the ops store...
  agents::postmortem_store store{dsn};
  auto row = store.find("inc-3-1");
  CAF_REQUIRE(row.has_value());
  CAF_CHECK_EQUAL(row->state, "resolved");
  CAF_CHECK_EQUAL(row->root_cause, "process_crash");
  CAF_CHECK_EQUAL(row->markdown, md);
  // ... and found by the next similar incident's search.
  knowledge::knowledge_store kb{dsn};
  auto hits = kb.search("shopd connection refused exited signal 9", 10);
  bool found = false;
  for (auto& h : hits)
    found = found || (h.id == "postmortem/inc-3-1" && h.kind == "postmortem");
  CAF_CHECK(found);
  // Closing it again (a re-run) replaces, not duplicates.
  inc.state = incident_state::escalated;
  inc.escalation = "restart intensity exceeded";
  auto again = ask(n, postmortem_atom::value, inc);
  CAF_CHECK_EQUAL(again.second, incident_error::none);
  CAF_CHECK_EQUAL(store.find("inc-3-1")->state, "escalated");
}

CAF_TEST(bad requests get a clear error and write nothing) {
  auto n = spawn({});
  CAF_CHECK_EQUAL(ask(n, postmortem_atom::value, sample_incident("inc-4-1", "acting")).second,
                  incident_error::bad_request);
  CAF_CHECK_EQUAL(ask(n, postmortem_atom::value, sample_incident("../escape", "resolved")).second,
                  incident_error::bad_request);
  CAF_CHECK_EQUAL(ask(n, brief_atom::value, sample_incident("", "open")).second,
                  incident_error::bad_request);
  CAF_CHECK(!std::filesystem::exists(reports + "/inc-4-1.md"));
  CAF_CHECK(!std::filesystem::exists(reports + "/../escape.md"));
  // Still serving.
  CAF_CHECK_EQUAL(ask(n, brief_atom::value, sample_incident("inc-4-2", "open")).second,
                  incident_error::none);
}

CAF_TEST(an ops store that is down still gets the report written) {
  auto n = spawn({}, test::unreachable_ops_store());
  auto [path, code] = ask(n, postmortem_atom::value, sample_incident("inc-5-1", "escalated"));
  CAF_CHECK_EQUAL(code, incident_error::none);
  CAF_CHECK(std::filesystem::exists(path));
  // And it keeps answering while it retries in the background.
  CAF_CHECK_EQUAL(ask(n, brief_atom::value, sample_incident("inc-5-2", "open")).second,
                  incident_error::none);
}

CAF_TEST_FIXTURE_SCOPE_END()
