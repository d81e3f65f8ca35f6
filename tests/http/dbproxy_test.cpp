// dbproxy as a real process in front of an echo server: bytes round-trip
// intact, the latency toxic delays answers and is validated, and a missing
// upstream closes the client.
#define CAF_SUITE dbproxy

#include <chrono>
#include <csignal>
#include <random>

#include <sys/wait.h>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "tests/http/raw_tcp.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

/// A running dbproxy in front of `upstream_port`, its control API answering.
struct dbproxy {
  explicit dbproxy(uint16_t upstream_port) {
    dir = test::make_temp_dir("dbproxy-test");
    listen_port = test::free_port();
    auto control_port = test::free_port();
    control = "http://127.0.0.1:" + std::to_string(control_port);
    proc = test::child_process({DBPROXY_BINARY, "--listen",
                                "127.0.0.1:" + std::to_string(listen_port), "--upstream",
                                "127.0.0.1:" + std::to_string(upstream_port), "--control",
                                "127.0.0.1:" + std::to_string(control_port)},
                               dir + "/dbproxy.log");
    ready = test::wait_until(
      [this] {
        try {
          return http::fetch("GET", control + "/healthz", "", {}, 1s).status == 200;
        } catch (const http::client_error&) {
          return false;
        }
      },
      10s);
  }

  json toxics() {
    return json::parse(http::fetch("GET", control + "/toxics").body);
  }

  http::client_response set_toxics(const std::string& body) {
    return http::fetch("POST", control + "/toxics", body);
  }

  std::string dir;
  uint16_t listen_port = 0;
  std::string control;
  test::child_process proc;
  bool ready = false;
};

std::string random_bytes(size_t size) {
  std::mt19937 random{42};
  std::string bytes(size, '\0');
  for (auto& c : bytes)
    c = static_cast<char>(random() & 0xff);
  return bytes;
}

/// Sends `message` through `conn` and waits for the echo; returns how long it took.
std::chrono::steady_clock::duration round_trip(test::raw_connection& conn,
                                               const std::string& message, bool& intact) {
  auto start = std::chrono::steady_clock::now();
  conn.send(message);
  auto echoed = conn.read_at_least(message.size(), 10s);
  intact = echoed == message;
  return std::chrono::steady_clock::now() - start;
}

} // namespace

CAF_TEST(bytes round-trip intact through the proxy) {
  test::echo_server echo;
  dbproxy proxy{echo.port()};
  CAF_REQUIRE(proxy.ready);
  test::raw_connection conn{proxy.listen_port};
  auto payload = random_bytes(256 * 1024);
  conn.send(payload);
  auto echoed = conn.read_at_least(payload.size(), 10s);
  CAF_CHECK_EQUAL(echoed.size(), payload.size());
  CAF_CHECK(echoed == payload);
  CAF_CHECK(test::wait_until([&] { return proxy.toxics().value("connections", 0) == 1; }, 5s));
  auto toxics = proxy.toxics();
  CAF_CHECK_EQUAL(toxics.value("delay_ms", -1), 0);
  CAF_CHECK_EQUAL(toxics.value("jitter_ms", -1), 0);
}

CAF_TEST(the latency toxic delays answers until it is removed) {
  test::echo_server echo;
  dbproxy proxy{echo.port()};
  CAF_REQUIRE(proxy.ready);
  test::raw_connection conn{proxy.listen_port};
  bool intact = false;
  round_trip(conn, "warm-up", intact);
  CAF_CHECK(intact);

  auto set = proxy.set_toxics(R"({"delay_ms":300,"jitter_ms":0})");
  CAF_CHECK_EQUAL(set.status, 200);
  CAF_CHECK_EQUAL(json::parse(set.body).value("delay_ms", -1), 300);
  auto slow = round_trip(conn, "select 1;", intact);
  CAF_CHECK(intact);
  CAF_CHECK(slow >= 300ms);

  auto cleared = http::fetch("DELETE", proxy.control + "/toxics");
  CAF_CHECK_EQUAL(cleared.status, 200);
  auto toxics = proxy.toxics();
  CAF_CHECK_EQUAL(toxics.value("delay_ms", -1), 0);
  CAF_CHECK_EQUAL(toxics.value("jitter_ms", -1), 0);
  round_trip(conn, "select 2;", intact);
  CAF_CHECK(intact);
  auto log = test::read_file(proxy.dir + "/dbproxy.log");
  CAF_CHECK(log.find("delay_ms=300") != std::string::npos);
}

CAF_TEST(jitter never reorders bytes) {
  test::echo_server echo;
  dbproxy proxy{echo.port()};
  CAF_REQUIRE(proxy.ready);
  CAF_REQUIRE_EQUAL(proxy.set_toxics(R"({"delay_ms":40,"jitter_ms":40})").status, 200);
  test::raw_connection conn{proxy.listen_port};
  std::string sent;
  // Waiting for each echo to leave the echo server makes every message its
  // own upstream chunk, so many chunks are held at once with random delays.
  for (int i = 0; i < 30; ++i) {
    auto message = "message-" + std::to_string(i) + ";";
    sent += message;
    conn.send(message);
    CAF_REQUIRE(test::wait_until([&] { return echo.echoed() == sent.size(); }, 5s));
  }
  auto received = conn.read_at_least(sent.size(), 10s);
  CAF_CHECK(received == sent);
}

CAF_TEST(bad toxics get 400 and leave the toxic unchanged) {
  test::echo_server echo;
  dbproxy proxy{echo.port()};
  CAF_REQUIRE(proxy.ready);
  CAF_REQUIRE_EQUAL(proxy.set_toxics(R"({"delay_ms":300,"jitter_ms":100})").status, 200);
  for (auto bad : {R"(nope)", R"({"delay_ms":-1})", R"({"delay_ms":60001})",
                   R"({"delay_ms":100,"jitter_ms":101})", R"({"delay_ms":100,"jitter_ms":-1})",
                   R"({"jitter_ms":5})", R"({"delay_ms":"100"})", R"({"delay_ms":1,"x":2})"}) {
    auto res = proxy.set_toxics(bad);
    CAF_CHECK_EQUAL(res.status, 400);
    CAF_CHECK(json::parse(res.body).value("error", "").size() > 0);
  }
  auto toxics = proxy.toxics();
  CAF_CHECK_EQUAL(toxics.value("delay_ms", -1), 300);
  CAF_CHECK_EQUAL(toxics.value("jitter_ms", -1), 100);
}

CAF_TEST(a client is closed when the upstream is down) {
  auto dead_port = test::free_port();
  dbproxy proxy{dead_port};
  CAF_REQUIRE(proxy.ready);
  test::raw_connection conn{proxy.listen_port};
  std::string received;
  CAF_CHECK(conn.read_until_closed(received, 5s));
  CAF_CHECK(received.empty());
  CAF_CHECK(test::wait_until([&] { return proxy.toxics().value("connections", -1) == 0; }, 5s));
}

CAF_TEST(a client is closed when the upstream closes) {
  auto echo = std::make_unique<test::echo_server>();
  dbproxy proxy{echo->port()};
  CAF_REQUIRE(proxy.ready);
  test::raw_connection conn{proxy.listen_port};
  bool intact = false;
  round_trip(conn, "hello", intact);
  CAF_CHECK(intact);
  echo.reset();
  std::string received;
  CAF_CHECK(conn.read_until_closed(received, 5s));
}

CAF_TEST(a stop signal exits cleanly) {
  test::echo_server echo;
  dbproxy proxy{echo.port()};
  CAF_REQUIRE(proxy.ready);
  test::raw_connection conn{proxy.listen_port};
  proxy.proc.signal(SIGTERM);
  auto status = proxy.proc.wait_exit(10s);
  CAF_CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
