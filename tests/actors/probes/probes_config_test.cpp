// The probes file: a good file loads with its defaults; every bad one is
// refused with an error naming the file and the field.
#define CAF_SUITE probes_config

#include <caf/test/unit_test.hpp>

#include "config/probes_config.hpp"
#include "tests/support/process.hpp"

using namespace vigil;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_probes_config(text, "probes.json", "/etc/vigil");
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(a good file loads with defaults and ignores traffic) {
  auto cfg = parse_probes_config(R"({
    // comments are allowed
    "defaults": {"interval_ms": 300, "timeout_ms": 200},
    "traffic": {"anything": ["the traffic loader's business"]},
    "probes": [
      {"name": "web", "kind": "http", "url": "http://127.0.0.1:8080/healthz", "slow_ms": 50},
      {"name": "disk", "kind": "disk", "path": "data", "interval_ms": 1000},
      {"name": "db", "kind": "postgres", "host": "127.0.0.1", "dbname": "shop", "user": "shop",
       "password_file": "secret", "checks": [{"name": "n", "sql": "SELECT 1", "expect": "1"}]}
    ]})", "probes.json", "/etc/vigil");
  CAF_REQUIRE_EQUAL(cfg.probes.size(), 3u);
  CAF_CHECK_EQUAL(cfg.probes[0].interval_ms, 300u);
  CAF_CHECK_EQUAL(cfg.probes[0].timeout_ms, 200u);
  CAF_CHECK_EQUAL(cfg.probes[0].target, "web");
  CAF_CHECK_EQUAL(cfg.probes[1].interval_ms, 1000u);
  CAF_CHECK_EQUAL(cfg.probes[1].path, "/etc/vigil/data");
  CAF_CHECK_EQUAL(cfg.probes[2].password_file, "/etc/vigil/secret");
  CAF_CHECK_EQUAL(cfg.probes[2].checks.at(0).expect, "1");
}

CAF_TEST(the demo probes file loads) {
  auto cfg = load_probes_config(std::string{VIGIL_SOURCE_DIR} + "/config/demo/probes.json");
  CAF_CHECK(cfg.probes.size() >= 15u);
}

CAF_TEST(bad files name the file and the field) {
  auto e = error_of(R"({"probes": [{"name": "a", "kind": "tcp", "address": "x:1", "url": "http://a"}]})");
  CAF_CHECK(has(e, "probes.json") && has(e, "probes[0].url") && has(e, "unknown field"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "smoke"}]})");
  CAF_CHECK(has(e, "probes[0].kind") && has(e, "unknown kind"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "http"}]})");
  CAF_CHECK(has(e, "probes[0].url") && has(e, "missing"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "http", "url": "ftp://x"}]})");
  CAF_CHECK(has(e, "probes[0].url"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "tcp", "address": "nowhere"}]})");
  CAF_CHECK(has(e, "probes.json") && has(e, "probes[0].address"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "log", "path": "x",
                                "patterns": [{"name": "p", "regex": "(unclosed"}]}]})");
  CAF_CHECK(has(e, "probes[0].patterns[0].regex"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "disk", "path": "x"},
                              {"name": "a", "kind": "disk", "path": "y"}]})");
  CAF_CHECK(has(e, "probes[1].name") && has(e, "duplicate"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "disk", "path": "x", "interval_ms": -5}]})");
  CAF_CHECK(has(e, "probes[0].interval_ms"));
  e = error_of(R"({"probes": [], "extra": 1})");
  CAF_CHECK(has(e, "'extra'") && has(e, "unknown field"));
  e = error_of(R"({"defaults": {"interval": 5}, "probes": []})");
  CAF_CHECK(has(e, "defaults.interval"));
  e = error_of(R"({})");
  CAF_CHECK(has(e, "'probes'"));
  e = error_of(R"({"probes": [ )");
  CAF_CHECK(has(e, "probes.json") && has(e, "not valid JSON"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "postgres", "host": "h", "dbname": "d",
                                "user": "u", "checks": [{"name": "c"}]}]})");
  CAF_CHECK(has(e, "probes[0].checks[0].sql"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "postgres", "host": "h", "dbname": "d",
                                "user": "u", "checks": [{"name": "c", "sql": "SELECT 0",
                                                         "acked_file": "acked.txt"}]}]})");
  CAF_CHECK(has(e, "probes[0].checks[0].sql") && has(e, "$acked"));
  e = error_of(R"({"probes": [{"name": "a", "kind": "postgres", "host": "h", "dbname": "d",
                                "user": "u", "checks": [{"name": "c", "sql": "SELECT $acked",
                                                         "acked_recent": 0}]}]})");
  CAF_CHECK(has(e, "probes[0].checks[0].acked_recent"));
}

CAF_TEST(a missing file says so) {
  try {
    load_probes_config("/nonexistent/probes.json");
    CAF_FAIL("loaded a missing file");
  } catch (const config_error& e) {
    CAF_CHECK(has(e.what(), "/nonexistent/probes.json"));
  }
}
