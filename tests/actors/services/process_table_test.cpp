// The host's process table: CPU use between two looks, also of processes
// started between them (a runaway job that forks new spinners).
#define CAF_SUITE process_table

#include "actors/services/process_table.hpp"

#include <chrono>
#include <filesystem>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;

namespace {

/// The spinner's use between the look `first` and one taken now.
double use_of(pid_t pid, const services::process_table& first,
              std::chrono::steady_clock::time_point first_at) {
  auto second = services::read_process_table();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - first_at).count();
  for (auto& use : services::cpu_between(first, second, seconds, 1.0))
    if (use.proc.pid == pid)
      return use.cpu_percent;
  return 0;
}

} // namespace

// A spinner shares the CPUs with whatever else runs (a loaded CI host): the
// bar is "counted at all", well above nothing and below one core.

CAF_TEST(a spinner alive at both looks is counted between them) {
  auto dir = test::make_temp_dir("vigil-proctable");
  test::child_process spinner{{"/bin/sh", "-c", "while :; do :; done"}, dir + "/spin.log"};
  auto first = services::read_process_table();
  auto first_at = std::chrono::steady_clock::now();
  CAF_CHECK(test::wait_until([&] { return use_of(spinner.pid(), first, first_at) >= 10; }, 10s));
  std::filesystem::remove_all(dir);
}

CAF_TEST(a spinner started after the first look is counted over its age) {
  auto dir = test::make_temp_dir("vigil-proctable");
  auto first = services::read_process_table();
  auto first_at = std::chrono::steady_clock::now();
  test::child_process spinner{{"/bin/sh", "-c", "while :; do :; done"}, dir + "/spin.log"};
  CAF_REQUIRE(first.count(spinner.pid()) == 0);
  CAF_CHECK(test::wait_until([&] { return use_of(spinner.pid(), first, first_at) >= 10; }, 10s));
  std::filesystem::remove_all(dir);
}

CAF_TEST(a sleeping process is not counted) {
  auto dir = test::make_temp_dir("vigil-proctable");
  auto first = services::read_process_table();
  auto first_at = std::chrono::steady_clock::now();
  test::child_process sleeper{{"/bin/sleep", "30"}, dir + "/sleep.log"};
  // Past the shortest age a rate is told over, its use is still nothing.
  CAF_REQUIRE(test::wait_until(
    [&] {
      auto p = services::read_process(sleeper.pid());
      return p && p->comm == "sleep"
             && std::chrono::steady_clock::now() - first_at > 500ms;
    },
    10s));
  CAF_CHECK_EQUAL(use_of(sleeper.pid(), first, first_at), 0.0);
  std::filesystem::remove_all(dir);
}
