// The HTTP library against real sockets: routing, errors, deferred answers,
// keep-alive, and the client's failure messages.
#define CAF_SUITE http

#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <caf/test/unit_test.hpp>

#include "http/bearer.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "http/url.hpp"
#include "tests/http/raw_tcp.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

std::string base_url(uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The message of the client_error `f` throws, or "" when it does not throw.
template <class F>
std::string client_error_of(F f) {
  try {
    f();
  } catch (const http::client_error& e) {
    return e.what();
  }
  return "";
}

/// Holds the responder of a request its handler did not answer yet.
class parked_responder {
public:
  void park(http::responder r) {
    std::lock_guard<std::mutex> guard(mutex_);
    responder_ = std::move(r);
  }
  bool parked() {
    std::lock_guard<std::mutex> guard(mutex_);
    return responder_.has_value();
  }
  http::responder take() {
    std::lock_guard<std::mutex> guard(mutex_);
    auto r = std::move(*responder_);
    responder_.reset();
    return r;
  }

private:
  std::mutex mutex_;
  std::optional<http::responder> responder_;
};

} // namespace

CAF_TEST(routes answer with status body and headers) {
  http::server srv{{}};
  srv.route("GET", "/hello", [](const http::request& req, http::responder respond) {
    auto res = http::text(200, "hello " + req.remote_address);
    res.headers.emplace_back("X-Seen-Agent", req.header("user-agent"));
    respond(res);
  });
  srv.route("POST", "/echo", [](const http::request& req, http::responder respond) {
    http::response res;
    res.status = 201;
    res.body = req.body + "|" + req.header("x-token");
    respond(res);
  });
  auto port = srv.start();
  CAF_REQUIRE(port != 0);
  auto hello = http::fetch("GET", base_url(port) + "/hello");
  CAF_CHECK_EQUAL(hello.status, 200);
  CAF_CHECK_EQUAL(hello.body, "hello 127.0.0.1");
  CAF_CHECK(contains(hello.headers["content-type"], "text/plain"));
  CAF_CHECK_EQUAL(hello.headers["x-seen-agent"], "vigil-http");
  auto echo = http::fetch("POST", base_url(port) + "/echo", "{\"a\":1}", {{"X-Token", "t1"}});
  CAF_CHECK_EQUAL(echo.status, 201);
  CAF_CHECK_EQUAL(echo.body, "{\"a\":1}|t1");
  CAF_CHECK_EQUAL(echo.headers["content-type"], "application/json");
}

CAF_TEST(prefix routes match by prefix and exact routes win) {
  http::server srv{{}};
  srv.route("GET", "/items/*", [](const http::request& req, http::responder respond) {
    respond(http::text(200, "prefix " + req.path));
  });
  srv.route("GET", "/items/special", [](const http::request&, http::responder respond) {
    respond(http::text(200, "exact"));
  });
  auto port = srv.start();
  CAF_CHECK_EQUAL(http::fetch("GET", base_url(port) + "/items/abc").body, "prefix /items/abc");
  CAF_CHECK_EQUAL(http::fetch("GET", base_url(port) + "/items/special").body, "exact");
  CAF_CHECK_EQUAL(http::fetch("GET", base_url(port) + "/items").status, 404);
}

CAF_TEST(unknown paths get 404 and wrong methods 405 with a JSON error) {
  http::server srv{{}};
  srv.route("GET", "/only-get", [](const http::request&, http::responder respond) {
    respond(http::text(200, "ok"));
  });
  auto port = srv.start();
  auto missing = http::fetch("GET", base_url(port) + "/nowhere");
  CAF_CHECK_EQUAL(missing.status, 404);
  CAF_CHECK(contains(missing.body, "\"error\""));
  CAF_CHECK(contains(missing.body, "/nowhere"));
  auto wrong = http::fetch("DELETE", base_url(port) + "/only-get");
  CAF_CHECK_EQUAL(wrong.status, 405);
  CAF_CHECK(contains(wrong.body, "\"error\""));
  CAF_CHECK_EQUAL(wrong.headers["allow"], "GET");
}

CAF_TEST(a body over the limit gets 413) {
  http::server::options opts;
  opts.max_body_bytes = 16;
  http::server srv{opts};
  srv.route("POST", "/upload", [](const http::request& req, http::responder respond) {
    respond(http::text(200, std::to_string(req.body.size())));
  });
  auto port = srv.start();
  CAF_CHECK_EQUAL(http::fetch("POST", base_url(port) + "/upload", std::string(16, 'x')).body,
                  "16");
  auto big = http::fetch("POST", base_url(port) + "/upload", std::string(100, 'x'));
  CAF_CHECK_EQUAL(big.status, 413);
  CAF_CHECK(contains(big.body, "\"error\""));
  // Larger than the socket buffers: the 413 must survive the unread body.
  auto huge = http::fetch("POST", base_url(port) + "/upload", std::string(8 << 20, 'x'));
  CAF_CHECK_EQUAL(huge.status, 413);
}

CAF_TEST(malformed bytes get 400 and the connection closes) {
  http::server srv{{}};
  auto port = srv.start();
  test::raw_connection conn{port};
  conn.send("this is not http\r\n\r\n");
  std::string received;
  CAF_CHECK(conn.read_until_closed(received, 5s));
  CAF_CHECK(received.rfind("HTTP/1.1 400", 0) == 0);
  CAF_CHECK(contains(received, "\"error\""));
}

CAF_TEST(a handler that throws gets 500 with its message) {
  http::server srv{{}};
  srv.route("GET", "/boom", [](const http::request&, http::responder) {
    throw std::runtime_error("kaboom");
  });
  auto port = srv.start();
  auto res = http::fetch("GET", base_url(port) + "/boom");
  CAF_CHECK_EQUAL(res.status, 500);
  CAF_CHECK(contains(res.body, "kaboom"));
}

CAF_TEST(a handler that drops its responder still gets the client an answer) {
  http::server srv{{}};
  srv.route("GET", "/forget", [](const http::request&, http::responder) {
    // nop: the responder is dropped unanswered
  });
  auto port = srv.start();
  CAF_CHECK_EQUAL(http::fetch("GET", base_url(port) + "/forget", "", {}, 5s).status, 500);
}

CAF_TEST(a deferred responder answers later from another thread) {
  http::server srv{{}};
  parked_responder parked;
  srv.route("GET", "/later", [&](const http::request&, http::responder respond) {
    parked.park(std::move(respond));
  });
  auto port = srv.start();
  auto pending = std::async(std::launch::async, [&] {
    return http::fetch("GET", base_url(port) + "/later", "", {}, 10s);
  });
  CAF_REQUIRE(test::wait_until([&] { return parked.parked(); }, 5s));
  // The handler returned without answering, so the client is still waiting.
  CAF_CHECK(pending.wait_for(0s) == std::future_status::timeout);
  auto respond = parked.take();
  std::thread other{[respond] {
    respond(http::text(202, "answered from elsewhere"));
    respond(http::text(200, "a second answer is ignored"));
  }};
  other.join();
  auto res = pending.get();
  CAF_CHECK_EQUAL(res.status, 202);
  CAF_CHECK_EQUAL(res.body, "answered from elsewhere");
}

CAF_TEST(query parameters are decoded) {
  http::server srv{{}};
  std::mutex mutex;
  http::request seen;
  srv.route("GET", "/q", [&](const http::request& req, http::responder respond) {
    {
      std::lock_guard<std::mutex> guard(mutex);
      seen = req;
    }
    respond(http::text(200, "ok"));
  });
  auto port = srv.start();
  CAF_REQUIRE_EQUAL(
    http::fetch("GET", base_url(port) + "/q?a=1&b=hello%20world&c=x+y&flag&d=%zz").status, 200);
  std::lock_guard<std::mutex> guard(mutex);
  CAF_CHECK_EQUAL(seen.path, "/q");
  CAF_CHECK_EQUAL(seen.target, "/q?a=1&b=hello%20world&c=x+y&flag&d=%zz");
  CAF_CHECK_EQUAL(seen.query.size(), 5u);
  CAF_CHECK_EQUAL(seen.query["a"], "1");
  CAF_CHECK_EQUAL(seen.query["b"], "hello world");
  CAF_CHECK_EQUAL(seen.query["c"], "x y");
  CAF_CHECK_EQUAL(seen.query["flag"], "");
  CAF_CHECK_EQUAL(seen.query["d"], "%zz");
}

CAF_TEST(URLs parse into host port and target) {
  auto parts = http::parse_url("http://example.org:8080/a/b?x=1");
  CAF_CHECK_EQUAL(parts.host, "example.org");
  CAF_CHECK_EQUAL(parts.port, 8080);
  CAF_CHECK_EQUAL(parts.target, "/a/b?x=1");
  auto bare = http::parse_url("http://localhost");
  CAF_CHECK_EQUAL(bare.port, 80);
  CAF_CHECK_EQUAL(bare.target, "/");
  auto v6 = http::parse_url("http://[::1]:9/x");
  CAF_CHECK_EQUAL(v6.host, "::1");
  CAF_CHECK_EQUAL(v6.port, 9);
  for (auto bad : {"https://x/", "http://:80/", "http://host:99999/", "http://host:8a/", "x"})
    CAF_CHECK(contains(client_error_of([&] { http::fetch("GET", bad); }), "bad URL"));
}

CAF_TEST(keep-alive serves two requests on one connection) {
  http::server srv{{}};
  std::atomic<int> count{0};
  srv.route("GET", "/n", [&](const http::request&, http::responder respond) {
    respond(http::text(200, "n=" + std::to_string(++count)));
  });
  auto port = srv.start();
  test::raw_connection conn{port};
  conn.send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = conn.read_at_least(1, 5s);
  CAF_CHECK(first.rfind("HTTP/1.1 200", 0) == 0);
  CAF_CHECK(contains(first, "n=1"));
  CAF_CHECK(!contains(first, "Connection: close"));
  conn.send("GET /n HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string second;
  CAF_CHECK(conn.read_until_closed(second, 5s));
  CAF_CHECK(second.rfind("HTTP/1.1 200", 0) == 0);
  CAF_CHECK(contains(second, "n=2"));
}

CAF_TEST(an idle connection is closed after the read timeout) {
  http::server::options opts;
  opts.read_timeout = 200ms;
  http::server srv{opts};
  auto port = srv.start();
  test::raw_connection conn{port};
  conn.send("GET /half-a-request HTTP/1.1\r\n");
  std::string received;
  CAF_CHECK(conn.read_until_closed(received, 5s));
}

CAF_TEST(stop returns with idle connections and unanswered requests) {
  auto srv = std::make_unique<http::server>(http::server::options{});
  parked_responder parked;
  srv->route("GET", "/never", [&](const http::request&, http::responder respond) {
    parked.park(std::move(respond));
  });
  auto port = srv->start();
  test::raw_connection idle{port};
  test::raw_connection waiting{port};
  waiting.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
  CAF_REQUIRE(test::wait_until([&] { return parked.parked(); }, 5s));
  srv->stop();
  std::string received;
  CAF_CHECK(idle.read_until_closed(received, 5s));
  CAF_CHECK(waiting.read_until_closed(received, 5s));
  srv.reset();
  // Answering after the server is gone must be harmless.
  parked.take()(http::text(200, "too late"));
  CAF_CHECK(contains(client_error_of([&] { http::fetch("GET", base_url(port) + "/never"); }),
                     "connection refused"));
}

CAF_TEST(the client times out against a server that never answers) {
  test::silent_listener silent;
  auto message = client_error_of(
    [&] { http::fetch("GET", base_url(silent.port()) + "/x", "", {}, 200ms); });
  CAF_CHECK(contains(message, "timeout after 200 ms"));
}

CAF_TEST(the client names the address it could not connect to) {
  auto port = test::free_port();
  auto message = client_error_of([&] { http::fetch("GET", base_url(port) + "/x"); });
  CAF_CHECK_EQUAL(message, "connection refused to 127.0.0.1:" + std::to_string(port));
}

CAF_TEST(start names the address it cannot listen on) {
  http::server first{{}};
  auto port = first.start();
  http::server::options opts;
  opts.port = port;
  http::server second{opts};
  std::string message;
  try {
    second.start();
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CAF_CHECK(contains(message, "127.0.0.1:" + std::to_string(port)));
}

CAF_TEST(bearer tokens match exactly or not at all) {
  using vigil::http::bearer_matches;
  CAF_CHECK(bearer_matches("Bearer s3cret-token", "s3cret-token"));
  CAF_CHECK(!bearer_matches("Bearer s3cret-tokeN", "s3cret-token"));
  CAF_CHECK(!bearer_matches("Bearer s3cret", "s3cret-token"));
  CAF_CHECK(!bearer_matches("Bearer s3cret-token-and-more", "s3cret-token"));
  CAF_CHECK(!bearer_matches("bearer s3cret-token", "s3cret-token"));
  CAF_CHECK(!bearer_matches("s3cret-token", "s3cret-token"));
  CAF_CHECK(!bearer_matches("Bearer ", ""));
  CAF_CHECK(!bearer_matches("", "s3cret-token"));
}
