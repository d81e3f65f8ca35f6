// kill_process against real busy processes of this test (never anyone
// else's: the runs are limited to this process's descendants).
#define CAF_SUITE kill_process
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <set>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/actions/action_rig.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::test;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

/// A child that spins (busy) or sleeps (idle) until killed.
pid_t spawn_child(bool busy) {
  auto pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (busy) {
      volatile unsigned long spin = 0;
      for (;;)
        spin = spin + 1;
    }
    for (;;)
      ::pause();
  }
  return pid;
}

bool killed_by_sigkill(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid)
    return false;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

} // namespace

CAF_TEST(kill_process kills busy children and spares idle ones) {
  action_rig rig{{fresh_ops_store()}};
  auto busy1 = spawn_child(true);
  auto busy2 = spawn_child(true);
  auto idle = spawn_child(false);
  CAF_REQUIRE(busy1 > 0 && busy2 > 0 && idle > 0);
  // High risk: only with an approval.
  auto args = json{{"parent_pid", ::getpid()}};
  CAF_CHECK_EQUAL(rig.act(make_request("kill_process", args, "k1")),
                  action_error::needs_approval);
  CAF_CHECK_EQUAL(::kill(busy1, 0), 0);
  action_result result;
  CAF_REQUIRE_EQUAL(rig.act(make_request("kill_process", args, "k1", "human:test"), &result),
                    action_error::none);
  CAF_CHECK_EQUAL(result.status, "done");
  auto output = json::parse(result.output);
  std::set<pid_t> killed;
  for (auto& k : output["killed"])
    killed.insert(k["pid"].get<pid_t>());
  CAF_CHECK_EQUAL(killed.count(busy1), 1u);
  CAF_CHECK_EQUAL(killed.count(busy2), 1u);
  CAF_CHECK_EQUAL(killed.count(idle), 0u);
  CAF_CHECK_EQUAL(killed.count(::getpid()), 0u);
  CAF_CHECK(killed_by_sigkill(busy1));
  CAF_CHECK(killed_by_sigkill(busy2));
  CAF_CHECK_EQUAL(::kill(idle, 0), 0);
  ::kill(idle, SIGKILL);
  ::waitpid(idle, nullptr, 0);
  // Nothing busy left: a new key finds nothing to kill.
  CAF_REQUIRE_EQUAL(rig.act(make_request("kill_process", args, "k2", "human:test"), &result),
                    action_error::none);
  CAF_CHECK(json::parse(result.output)["killed"].empty());
}

CAF_TEST(kill_process refuses bad arguments) {
  action_rig rig{{fresh_ops_store()}};
  CAF_CHECK_EQUAL(rig.act(make_request("kill_process", {{"select", "top_cpu"}}, "k3", "human:t")),
                  action_error::bad_args);
  CAF_CHECK_EQUAL(rig.act(make_request("kill_process", {{"sample_ms", 10}}, "k4", "human:t")),
                  action_error::bad_args);
  // The bar is the deployment's: a caller cannot lower it to sweep the host.
  CAF_CHECK_EQUAL(rig.act(make_request("kill_process", {{"min_cpu_percent", 5}}, "k6", "human:t")),
                  action_error::bad_args);
  CAF_CHECK_EQUAL(rig.act(make_request("kill_process", {{"parent_pid", 1}}, "k5", "human:t")),
                  action_error::bad_args);
}
