// Deterministic tests of the supervisor: every strategy, restart type,
// intensity escalation through two levels, shutdown order and timeouts, and
// backoff timing, all on CAF's test scheduler with virtual time.
#define CAF_SUITE supervisor

#include "supervision/supervisor.hpp"

#include <caf/test/dsl.hpp>
#include <caf/test/unit_test_impl.hpp>

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::supervision;

namespace {

using quit_atom = caf::atom_constant<caf::atom("t_quit")>;
using fail_atom = caf::atom_constant<caf::atom("t_fail")>;

/// What happened, in order: "start:a", "stop:a" (a saw its shutdown request).
using event_log = std::shared_ptr<std::vector<std::string>>;

/// A worker that logs its shutdown request; a stubborn one ignores it.
caf::behavior worker(caf::event_based_actor* self, event_log log, std::string id,
                     bool stubborn) {
  self->set_exit_handler([=](caf::exit_msg& msg) {
    log->push_back("stop:" + id);
    if (!stubborn)
      self->quit(msg.reason);
  });
  return {
    [=](quit_atom) { self->quit(); },
    [=](fail_atom) { self->quit(caf::exit_reason::unhandled_exception); },
  };
}

child_spec worker_spec(event_log log, std::string id,
                       restart_type restart = restart_type::permanent,
                       shutdown_policy shutdown = shutdown_policy::after(1s),
                       bool stubborn = false) {
  child_spec spec;
  spec.id = id;
  spec.restart = restart;
  spec.shutdown = shutdown;
  spec.start = [=](caf::local_actor* sup, const std::string&) {
    log->push_back("start:" + id);
    return sup->home_system().spawn(worker, log, id, stubborn);
  };
  return spec;
}

struct fixture : test_coordinator_fixture<> {
  event_log log = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<name_directory> directory = std::make_shared<name_directory>();
  // Exit reason of the supervisor under test. Shared, because supervisors a
  // test leaves running end after the fixture's members are gone.
  std::shared_ptr<std::optional<caf::error>> exit_reason_
    = std::make_shared<std::optional<caf::error>>();
  std::optional<caf::error>& exit_reason = *exit_reason_;

  supervisor_spec spec_of(strategy s, std::vector<std::string> ids) {
    supervisor_spec spec;
    spec.name = "root";
    spec.restart_strategy = s;
    spec.directory = directory;
    for (auto& id : ids)
      spec.children.push_back(worker_spec(log, id));
    return spec;
  }

  supervisor_actor start(supervisor_spec spec) {
    auto sup = spawn_supervisor(sys, std::move(spec));
    caf::actor_cast<caf::abstract_actor*>(sup)->attach_functor(
      [out = exit_reason_](const caf::error& reason) { *out = reason; });
    drain();
    return sup;
  }

  /// Runs every pending message; time stands still.
  void drain() { sched.run(); }

  /// Lets `d` of virtual time pass, then runs what became due.
  void wait_for(caf::timespan d) {
    sched.advance_time(d);
    drain();
  }

  caf::actor child(const std::string& id) { return directory->get("root/" + id); }

  void kill(const std::string& id) {
    auto h = child(id);
    CAF_REQUIRE(h != nullptr);
    caf::anon_send_exit(h, caf::exit_reason::kill);
    drain();
  }

  tree_node tree(const supervisor_actor& sup) {
    tree_node result;
    self->request(sup, caf::infinite, which_atom::value)
      .receive([&](tree_node& t) { result = std::move(t); },
               [&](caf::error& e) { CAF_FAIL("which failed: " << sys.render(e)); });
    return result;
  }

  /// Sends `which` and runs the scheduler until the answer is in.
  tree_node which(const supervisor_actor& sup) {
    self->send(sup, which_atom::value);
    drain();
    tree_node result;
    self->receive([&](tree_node& t) { result = std::move(t); },
                  [&](caf::error& e) { CAF_FAIL("which failed: " << sys.render(e)); });
    return result;
  }

  const tree_node* entry(const tree_node& t, const std::string& id) {
    for (auto& c : t.children)
      if (c.path == t.path + "/" + id)
        return &c;
    return nullptr;
  }

  std::vector<std::string> take_log() {
    auto result = *log;
    log->clear();
    return result;
  }
};

using strings = std::vector<std::string>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(supervisor_tests, fixture)

CAF_TEST(children start in order and stop in reverse order) {
  auto sup = start(spec_of(strategy::one_for_one, {"a", "b", "c"}));
  CAF_CHECK_EQUAL(take_log(), strings({"start:a", "start:b", "start:c"}));
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  drain();
  CAF_CHECK_EQUAL(take_log(), strings({"stop:c", "stop:b", "stop:a"}));
  CAF_REQUIRE(exit_reason.has_value());
  CAF_CHECK_EQUAL(*exit_reason, caf::exit_reason::user_shutdown);
  CAF_CHECK(child("a") == nullptr);
}

CAF_TEST(one_for_one restarts only the child that died) {
  auto sup = start(spec_of(strategy::one_for_one, {"a", "b", "c"}));
  take_log();
  auto a = child("a"), b = child("b"), c = child("c");
  kill("b");
  CAF_CHECK_EQUAL(take_log(), strings({"start:b"}));
  CAF_CHECK(child("a") == a);
  CAF_CHECK(child("c") == c);
  CAF_CHECK(child("b") != b);
  CAF_CHECK(child("b") != nullptr);
  auto t = which(sup);
  CAF_REQUIRE(entry(t, "b") != nullptr);
  CAF_CHECK_EQUAL(entry(t, "b")->restarts, 1u);
  CAF_CHECK_EQUAL(entry(t, "b")->status, "running");
  CAF_CHECK_EQUAL(entry(t, "b")->last_exit_reason, sys.render(caf::exit_reason::kill));
  CAF_CHECK_EQUAL(entry(t, "a")->restarts, 0u);
  CAF_CHECK(!exit_reason);
}

CAF_TEST(one_for_all stops the others in reverse order and restarts all) {
  auto sup = start(spec_of(strategy::one_for_all, {"a", "b", "c"}));
  take_log();
  kill("b");
  CAF_CHECK_EQUAL(take_log(),
                  strings({"stop:c", "stop:a", "start:a", "start:b", "start:c"}));
  auto t = which(sup);
  for (auto id : {"a", "b", "c"}) {
    CAF_CHECK_EQUAL(entry(t, id)->restarts, 1u);
    CAF_CHECK_EQUAL(entry(t, id)->status, "running");
  }
}

CAF_TEST(rest_for_one restarts the child and those started after it) {
  auto sup = start(spec_of(strategy::rest_for_one, {"a", "b", "c"}));
  take_log();
  auto a = child("a");
  kill("b");
  CAF_CHECK_EQUAL(take_log(), strings({"stop:c", "start:b", "start:c"}));
  CAF_CHECK(child("a") == a);
  auto t = which(sup);
  CAF_CHECK_EQUAL(entry(t, "a")->restarts, 0u);
  CAF_CHECK_EQUAL(entry(t, "b")->restarts, 1u);
  CAF_CHECK_EQUAL(entry(t, "c")->restarts, 1u);
}

CAF_TEST(restart types decide what comes back) {
  auto spec = spec_of(strategy::one_for_one, {});
  spec.intensity = 10;
  spec.children = {worker_spec(log, "perm", restart_type::permanent),
                   worker_spec(log, "trans", restart_type::transient),
                   worker_spec(log, "temp", restart_type::temporary)};
  auto sup = start(spec);
  take_log();
  // A normal exit: only the permanent child comes back.
  for (auto id : {"perm", "trans", "temp"})
    caf::anon_send(child(id), quit_atom::value);
  drain();
  CAF_CHECK_EQUAL(take_log(), strings({"start:perm"}));
  auto t = which(sup);
  CAF_CHECK_EQUAL(entry(t, "trans")->status, "stopped");
  CAF_CHECK(entry(t, "temp") == nullptr); // temporary children are forgotten
  CAF_CHECK_EQUAL(t.children.size(), 2u);
  // An abnormal exit brings the transient child back too.
  auto sup2 = start(spec);
  take_log();
  caf::anon_send(directory->get("root/trans"), fail_atom::value);
  caf::anon_send(directory->get("root/temp"), fail_atom::value);
  drain();
  CAF_CHECK_EQUAL(take_log(), strings({"start:trans"}));
  anon_send_exit(sup, caf::exit_reason::user_shutdown);
  anon_send_exit(sup2, caf::exit_reason::user_shutdown);
  drain();
}

CAF_TEST(more restarts than the intensity within the period stop the supervisor) {
  auto spec = spec_of(strategy::one_for_one, {"a", "b"});
  spec.intensity = 2;
  spec.period = 5s;
  auto sup = start(spec);
  take_log();
  kill("a");
  wait_for(1s);
  kill("a");
  CAF_CHECK(!exit_reason);
  take_log();
  kill("a"); // third restart within 5 s
  CAF_CHECK_EQUAL(take_log(), strings({"stop:b"}));
  CAF_REQUIRE(exit_reason.has_value());
  CAF_CHECK_EQUAL(*exit_reason, supervision_error::restart_intensity_exceeded);
}

CAF_TEST(restarts spread wider than the period never escalate) {
  auto spec = spec_of(strategy::one_for_one, {"a"});
  spec.intensity = 1;
  spec.period = 5s;
  auto sup = start(spec);
  for (int i = 0; i < 5; ++i) {
    kill("a");
    wait_for(5s);
  }
  CAF_CHECK(!exit_reason);
  auto t = which(sup); // CAF_CHECK_EQUAL keeps references: no temporaries
  CAF_CHECK_EQUAL(entry(t, "a")->restarts, 5u);
}

CAF_TEST(intensity escalates through two levels of supervisors) {
  supervisor_spec inner;
  inner.restart_strategy = strategy::one_for_one;
  inner.intensity = 1;
  inner.directory = directory;
  inner.children = {worker_spec(log, "w")};
  supervisor_spec outer;
  outer.name = "root";
  outer.intensity = 1;
  outer.directory = directory;
  outer.children = {worker_spec(log, "peer"), supervisor_child("inner", inner)};
  auto sup = start(outer);
  auto worker_path = "root/inner/w";
  auto kill_worker = [&] {
    auto w = directory->get(worker_path);
    CAF_REQUIRE(w != nullptr);
    caf::anon_send_exit(w, caf::exit_reason::kill);
    drain();
  };
  kill_worker();
  kill_worker(); // inner exceeds 1 restart ⇒ inner exits, outer restarts it
  auto t = which(sup);
  CAF_REQUIRE(entry(t, "inner") != nullptr);
  CAF_CHECK_EQUAL(entry(t, "inner")->restarts, 1u);
  CAF_CHECK_EQUAL(entry(t, "inner")->last_exit_reason,
                  sys.render(caf::make_error(supervision_error::restart_intensity_exceeded,
                                             "root/inner/w")));
  CAF_CHECK(!exit_reason);
  kill_worker();
  kill_worker(); // inner gives up again ⇒ outer's second restart ⇒ outer gives up
  CAF_REQUIRE(exit_reason.has_value());
  CAF_CHECK_EQUAL(*exit_reason, supervision_error::restart_intensity_exceeded);
  CAF_CHECK(directory->get("root/peer") == nullptr);
}

CAF_TEST(a child ignoring shutdown is killed after its timeout) {
  auto spec = spec_of(strategy::one_for_one, {});
  spec.children = {worker_spec(log, "slow", restart_type::permanent,
                               shutdown_policy::after(2s), true)};
  auto sup = start(spec);
  take_log();
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  drain();
  CAF_CHECK_EQUAL(take_log(), strings({"stop:slow"}));
  CAF_CHECK(!exit_reason); // still waiting for the child
  wait_for(1999ms);
  CAF_CHECK(!exit_reason);
  wait_for(1ms);
  CAF_REQUIRE(exit_reason.has_value());
  CAF_CHECK_EQUAL(*exit_reason, caf::exit_reason::user_shutdown);
}

CAF_TEST(brutal_kill never asks and infinity waits forever) {
  auto spec = spec_of(strategy::one_for_one, {});
  spec.children = {
    worker_spec(log, "patient", restart_type::permanent, shutdown_policy::infinity(), true),
    worker_spec(log, "brutal", restart_type::permanent, shutdown_policy::brutal_kill())};
  auto sup = start(spec);
  take_log();
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  drain();
  // "brutal" got an untrappable kill (no stop: entry); "patient" was asked.
  CAF_CHECK_EQUAL(take_log(), strings({"stop:patient"}));
  wait_for(1h);
  CAF_CHECK(!exit_reason);
  caf::anon_send(directory->get("root/patient"), quit_atom::value);
  drain();
  CAF_CHECK(exit_reason.has_value());
}

CAF_TEST(backoff delays restarts exponentially up to the maximum) {
  auto spec = spec_of(strategy::one_for_one, {"a"});
  spec.intensity = 100;
  spec.period = 1s;
  spec.backoff = backoff_policy{100ms, 400ms, 0.0, 10s};
  auto sup = start(spec);
  take_log();
  for (auto expected : {100ms, 200ms, 400ms, 400ms}) {
    kill("a");
    CAF_CHECK(child("a") == nullptr);
    auto t = which(sup);
    CAF_CHECK_EQUAL(entry(t, "a")->status, "restarting");
    wait_for(expected - 1ms);
    CAF_CHECK(child("a") == nullptr);
    wait_for(1ms);
    CAF_CHECK(child("a") != nullptr);
  }
  // After a quiet period the delay starts from the minimum again.
  wait_for(10s);
  kill("a");
  wait_for(100ms);
  CAF_CHECK(child("a") != nullptr);
}

CAF_TEST(backoff jitter stays within the random factor) {
  auto spec = spec_of(strategy::one_for_one, {"a"});
  spec.intensity = 100;
  spec.backoff = backoff_policy{1s, 1s, 0.5, 1h};
  spec.seed = 42;
  auto sup = start(spec);
  for (int i = 0; i < 5; ++i) {
    kill("a");
    wait_for(999ms);
    CAF_CHECK(child("a") == nullptr);
    wait_for(501ms);
    CAF_CHECK(child("a") != nullptr);
  }
}

CAF_TEST(a dynamic pool adds restarts and drops identical children) {
  supervisor_spec spec;
  spec.name = "root";
  spec.restart_strategy = strategy::simple_one_for_one;
  spec.directory = directory;
  spec.children = {worker_spec(log, "w")};
  auto sup = start(spec);
  CAF_CHECK(take_log().empty());
  strings ids;
  for (int i = 0; i < 3; ++i) {
    self->send(sup, add_child_atom::value);
    drain();
    self->receive([&](std::string& id) { ids.push_back(id); });
  }
  CAF_CHECK_EQUAL(ids, strings({"w-1", "w-2", "w-3"}));
  auto w1 = child("w-1");
  kill("w-2");
  CAF_CHECK(child("w-2") != nullptr);
  CAF_CHECK(child("w-1") == w1);
  self->send(sup, drop_child_atom::value, std::string{"w-1"});
  drain();
  self->receive([](bool ok) { CAF_CHECK(ok); });
  auto t = which(sup);
  CAF_CHECK_EQUAL(t.children.size(), 2u);
  CAF_CHECK_EQUAL(entry(t, "w-2")->restarts, 1u);
  CAF_CHECK(child("w-1") == nullptr);
  // Static supervisors refuse pool requests with a clear error.
  auto fixed = start(spec_of(strategy::one_for_one, {"a"}));
  self->send(fixed, add_child_atom::value);
  drain();
  self->receive([](std::string&) { CAF_FAIL("a static supervisor grew"); },
                [](caf::error& e) { CAF_CHECK_EQUAL(e, supervision_error::not_a_pool); });
}

CAF_TEST(the tree shows nested supervisors) {
  supervisor_spec inner;
  inner.restart_strategy = strategy::rest_for_one;
  inner.directory = directory;
  inner.children = {worker_spec(log, "x")};
  auto spec = spec_of(strategy::one_for_all, {"a"});
  spec.children.push_back(supervisor_child("inner", inner));
  auto sup = start(spec);
  auto t = which(sup);
  CAF_CHECK_EQUAL(t.strategy, "one_for_all");
  auto* nested = entry(t, "inner");
  CAF_REQUIRE(nested != nullptr);
  CAF_CHECK_EQUAL(nested->kind, "supervisor");
  CAF_CHECK_EQUAL(nested->strategy, "rest_for_one");
  CAF_REQUIRE_EQUAL(nested->children.size(), 1u);
  CAF_CHECK_EQUAL(nested->children[0].path, "root/inner/x");
  CAF_CHECK(directory->get("root/inner") != nullptr);
}

CAF_TEST(a child that fails to start fails the supervisor start) {
  auto spec = spec_of(strategy::one_for_one, {"a"});
  child_spec broken;
  broken.id = "broken";
  broken.start = [](caf::local_actor*, const std::string&) -> caf::actor {
    throw std::runtime_error("no config");
  };
  spec.children.push_back(broken);
  spec.children.push_back(worker_spec(log, "never"));
  start(spec);
  CAF_CHECK_EQUAL(take_log(), strings({"start:a", "stop:a"}));
  CAF_REQUIRE(exit_reason.has_value());
  CAF_CHECK_EQUAL(*exit_reason, supervision_error::child_start_failed);
}

CAF_TEST_FIXTURE_SCOPE_END()
