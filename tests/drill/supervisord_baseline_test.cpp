// The supervisord baseline with a real supervisord: the service from a
// services file runs under it, its pid file names the live process (what
// the chaos plane's crash fault reads), a kill -9 is answered by a restart
// that is counted, and stop() takes both down.
#define CAF_SUITE supervisord_baseline

#include <csignal>
#include <filesystem>
#include <fstream>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

#include "tests/support/process.hpp"
#include "vigilctl/drill/supervisord_baseline.hpp"

using namespace std::chrono_literals;
using namespace vigilctl::drill;

namespace {

int pid_in(const std::string& file) {
  std::ifstream in{file};
  int pid = 0;
  in >> pid;
  return pid;
}

bool alive(int pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

} // namespace

CAF_TEST(supervisord runs the service and restarts it after kill -9) {
  auto dir = vigil::test::make_temp_dir("vigil-baseline");
  std::filesystem::create_directories(dir + "/stack");
  vigil::test::write_file(dir + "/stack/services.json", R"({
    // As ./run demo writes var/stack/services.json.
    "backend": "exec",
    "services": [
      {"name": "other", "command": "/bin/false"},
      {"name": "shopd", "command": "/bin/sleep", "args": ["600"], "data_dir": "shopd-data",
       "memory_limit_mb": 64}
    ]})");
  supervisord_settings settings{dir + "/stack/services.json", dir + "/baseline",
                                std::string{VIGIL_SOURCE_DIR} + "/stack/baseline/supervisord.conf.in",
                                "shopd"};
  auto pid_file = dir + "/baseline/pids/shopd.pid";
  {
    supervisord_baseline baseline{settings};
    baseline.start();
    CAF_REQUIRE(vigil::test::wait_until([&] { return alive(pid_in(pid_file)); }, 20s));
    auto first = pid_in(pid_file);
    CAF_CHECK_EQUAL(baseline.pid(), first);
    CAF_CHECK(std::filesystem::exists(dir + "/stack/shopd-data"));
    CAF_CHECK(vigil::test::wait_until([&] { return baseline.starts() == 1; }, 10s));
    ::kill(first, SIGKILL);
    CAF_REQUIRE(vigil::test::wait_until(
      [&] { return pid_in(pid_file) != first && alive(pid_in(pid_file)); }, 20s));
    CAF_CHECK(vigil::test::wait_until([&] { return baseline.starts() == 2; }, 10s));
    auto second = pid_in(pid_file);
    baseline.stop();
    CAF_CHECK(vigil::test::wait_until([&] { return !alive(second); }, 20s));
    CAF_CHECK(!std::filesystem::exists(pid_file));
    CAF_CHECK_EQUAL(baseline.pid(), 0);
  }
}

CAF_TEST(a services file without the service is refused and starts nothing) {
  auto dir = vigil::test::make_temp_dir("vigil-baseline");
  vigil::test::write_file(dir + "/services.json", R"({"services": [{"name": "web", "command": "/bin/true"}]})");
  supervisord_baseline baseline{{dir + "/services.json", dir + "/baseline",
                                 std::string{VIGIL_SOURCE_DIR} + "/stack/baseline/supervisord.conf.in",
                                 "shopd"}};
  bool refused = false;
  try {
    baseline.start();
  } catch (const std::runtime_error&) {
    refused = true;
  }
  CAF_CHECK(refused);
  CAF_CHECK(!std::filesystem::exists(dir + "/baseline/supervisord.pid"));
}
