// pricingd as a real process: prices from the catalog, admin auth, and the
// modes drills switch (error, skew, slow), with bad input refused.
#define CAF_SUITE pricingd

#include <chrono>
#include <csignal>

#include <sys/wait.h>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

constexpr const char* admin_token = "drill-token-123";

/// A running pricingd on a free port, ready to answer.
struct pricingd {
  explicit pricingd(std::vector<std::string> extra = {}, bool with_token = true) {
    dir = test::make_temp_dir("pricingd-test");
    port = test::free_port();
    url = "http://127.0.0.1:" + std::to_string(port);
    std::vector<std::string> argv{PRICINGD_BINARY, "--port", std::to_string(port), "--name",
                                  "primary", "--log-file", dir + "/pricingd.log"};
    if (with_token) {
      test::write_file(dir + "/token", std::string{admin_token} + "\n");
      argv.insert(argv.end(), {"--admin-token-file", dir + "/token"});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc = test::child_process(argv, dir + "/stdout.log");
    ready = test::wait_until(
      [this] {
        try {
          return http::fetch("GET", url + "/healthz", "", {}, 1s).status == 200;
        } catch (const http::client_error&) {
          return false;
        }
      },
      10s);
  }

  http::client_response get(const std::string& path) {
    return http::fetch("GET", url + path);
  }

  http::client_response admin(const std::string& method, const std::string& body,
                              const std::string& token = admin_token) {
    std::map<std::string, std::string> headers;
    if (!token.empty())
      headers["Authorization"] = "Bearer " + token;
    return http::fetch(method, url + "/admin/mode", body, headers);
  }

  std::string dir;
  uint16_t port = 0;
  std::string url;
  test::child_process proc;
  bool ready = false;
};

json body_of(const http::client_response& res) {
  return json::parse(res.body);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(health and prices come from the catalog) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  auto health = body_of(p.get("/healthz"));
  CAF_CHECK_EQUAL(health.value("status", ""), "ok");
  CAF_CHECK_EQUAL(health.value("name", ""), "primary");

  auto catalog = json::parse(test::read_file(VIGIL_SOURCE_DIR "/stack/catalog.json"));
  auto& products = catalog.at("products");
  CAF_CHECK(products.size() >= 6);
  auto all = p.get("/prices");
  CAF_CHECK_EQUAL(all.status, 200);
  auto prices = body_of(all);
  CAF_CHECK_EQUAL(prices.value("source", ""), "primary");
  CAF_CHECK_EQUAL(prices.at("prices").size(), products.size());
  for (auto& product : products) {
    auto sku = product.at("sku").get<std::string>();
    auto cents = product.at("price_cents").get<int64_t>();
    CAF_CHECK_EQUAL(prices.at("prices").value(sku, int64_t{-1}), cents);
    auto one = body_of(p.get("/prices/" + sku));
    CAF_CHECK_EQUAL(one.value("sku", ""), sku);
    CAF_CHECK_EQUAL(one.value("price_cents", int64_t{-1}), cents);
    CAF_CHECK_EQUAL(one.value("source", ""), "primary");
  }
  auto unknown = p.get("/prices/no-such-sku");
  CAF_CHECK_EQUAL(unknown.status, 404);
  CAF_CHECK(contains(unknown.body, "no-such-sku"));
}

CAF_TEST(another catalog can be given on the command line) {
  auto dir = test::make_temp_dir("pricingd-catalog");
  test::write_file(dir + "/catalog.json",
                   R"({"products": [{"sku": "only-one", "name": "Only", "price_cents": 42}]})");
  pricingd p{{"--catalog", dir + "/catalog.json"}};
  CAF_REQUIRE(p.ready);
  auto prices = body_of(p.get("/prices")).at("prices");
  CAF_CHECK_EQUAL(prices.size(), 1u);
  CAF_CHECK_EQUAL(prices.value("only-one", 0), 42);
}

CAF_TEST(admin endpoints are absent without a token file) {
  pricingd p{{}, false};
  CAF_REQUIRE(p.ready);
  CAF_CHECK_EQUAL(p.admin("POST", R"({"mode":"error"})").status, 404);
  CAF_CHECK_EQUAL(p.admin("GET", "").status, 404);
  CAF_CHECK_EQUAL(p.get("/prices").status, 200);
}

CAF_TEST(admin endpoints need the right bearer token) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  auto missing = p.admin("POST", R"({"mode":"error"})", "");
  CAF_CHECK_EQUAL(missing.status, 401);
  CAF_CHECK(contains(missing.body, "Authorization"));
  auto wrong = p.admin("POST", R"({"mode":"error"})", "not-the-token");
  CAF_CHECK_EQUAL(wrong.status, 401);
  CAF_CHECK(contains(wrong.body, "wrong admin token"));
  CAF_CHECK_EQUAL(p.admin("GET", "", "").status, 401);
  // Neither refused request changed anything.
  CAF_CHECK_EQUAL(p.get("/prices").status, 200);
  CAF_CHECK_EQUAL(body_of(p.admin("GET", "")).value("mode", ""), "ok");
}

CAF_TEST(error mode answers 503 until reverted) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  CAF_CHECK_EQUAL(p.admin("POST", R"({"mode":"error"})").status, 200);
  CAF_CHECK_EQUAL(body_of(p.admin("GET", "")).value("mode", ""), "error");
  auto all = p.get("/prices");
  CAF_CHECK_EQUAL(all.status, 503);
  CAF_CHECK(body_of(all).contains("error"));
  CAF_CHECK_EQUAL(p.get("/prices/mug-classic").status, 503);
  CAF_CHECK_EQUAL(p.get("/healthz").status, 200);
  CAF_CHECK_EQUAL(p.admin("POST", R"({"mode":"ok"})").status, 200);
  CAF_CHECK_EQUAL(p.get("/prices").status, 200);
}

CAF_TEST(skew mode multiplies prices until reverted) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  auto list = body_of(p.get("/prices/mug-classic")).value("price_cents", int64_t{-1});
  CAF_REQUIRE(list > 0);
  auto set = p.admin("POST", R"({"mode":"skew","factor":2.5})");
  CAF_CHECK_EQUAL(set.status, 200);
  CAF_CHECK_EQUAL(body_of(set).value("factor", 0.0), 2.5);
  auto skewed = body_of(p.get("/prices/mug-classic")).value("price_cents", int64_t{-1});
  CAF_CHECK_EQUAL(skewed * 2, list * 5);
  auto all = body_of(p.get("/prices"));
  CAF_CHECK_EQUAL(all.at("prices").value("mug-classic", int64_t{-1}), skewed);
  CAF_CHECK_EQUAL(p.admin("POST", R"({"mode":"ok"})").status, 200);
  CAF_CHECK_EQUAL(body_of(p.get("/prices/mug-classic")).value("price_cents", int64_t{-1}), list);
}

CAF_TEST(slow mode holds answers for the delay) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  CAF_CHECK_EQUAL(p.admin("POST", R"({"mode":"slow","delay_ms":300})").status, 200);
  auto start = std::chrono::steady_clock::now();
  auto res = p.get("/prices/mug-classic");
  auto elapsed = std::chrono::steady_clock::now() - start;
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK(elapsed >= 300ms);
  // Health is not slowed: liveness must not depend on the drill.
  CAF_CHECK_EQUAL(http::fetch("GET", p.url + "/healthz", "", {}, 250ms).status, 200);
  CAF_CHECK_EQUAL(p.admin("POST", R"({"mode":"ok"})").status, 200);
  CAF_CHECK_EQUAL(body_of(p.admin("GET", "")).value("mode", ""), "ok");
  CAF_CHECK_EQUAL(p.get("/prices/mug-classic").status, 200);
}

CAF_TEST(bad mode requests get 400 and leave the mode unchanged) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  CAF_REQUIRE_EQUAL(p.admin("POST", R"({"mode":"skew","factor":2})").status, 200);
  for (auto bad : {R"(not json)", R"({"mode":"chaos"})", R"({"factor":3})",
                   R"({"mode":"skew"})", R"({"mode":"skew","factor":0})",
                   R"({"mode":"skew","factor":1001})", R"({"mode":"skew","factor":"3"})",
                   R"({"mode":"slow","delay_ms":60001})", R"({"mode":"slow","delay_ms":-1})",
                   R"({"mode":"slow"})", R"({"mode":"ok","delay_ms":5})", R"([1,2])"}) {
    auto res = p.admin("POST", bad);
    CAF_CHECK_EQUAL(res.status, 400);
    CAF_CHECK(body_of(res).value("error", "").size() > 0);
  }
  auto mode = body_of(p.admin("GET", ""));
  CAF_CHECK_EQUAL(mode.value("mode", ""), "skew");
  CAF_CHECK_EQUAL(mode.value("factor", 0.0), 2.0);
}

CAF_TEST(requests are logged and a stop signal exits cleanly) {
  pricingd p;
  CAF_REQUIRE(p.ready);
  CAF_CHECK_EQUAL(p.get("/prices/no-such-sku").status, 404);
  p.proc.signal(SIGTERM);
  auto status = p.proc.wait_exit(10s);
  CAF_CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto log = test::read_file(p.dir + "/pricingd.log");
  CAF_CHECK(contains(log, "GET /healthz 200"));
  CAF_CHECK(contains(log, "GET /prices/no-such-sku 404"));
}

CAF_TEST(the port is required) {
  auto result = test::run_command({PRICINGD_BINARY});
  CAF_CHECK(result.exit_code != 0);
  CAF_CHECK(contains(result.err + result.out, "--port"));
}
