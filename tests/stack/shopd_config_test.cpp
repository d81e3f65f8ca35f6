// shopd's config parsing: defaults, relative paths, and errors that name the
// field (what an operator sees when a reload is refused).
#define CAF_SUITE shopd_config

#include <caf/test/unit_test.hpp>

#include "stack/shopd/config.hpp"

using namespace vigil::shop;

namespace {

const std::string minimal = R"({
  // comments are allowed
  "admin_token_file": "admin.token",
  "db": {"password_file": "/secrets/db.password"},
  "upstream": {"primary": "http://127.0.0.1:8090"},
  "data_dir": "data"
})";

/// The config_error message for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "/etc/shop/shopd.json");
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

std::string with(const std::string& fields) {
  // Appends fields to the minimal config (before its closing brace).
  auto text = minimal;
  text.insert(text.rfind('}'), ", " + fields);
  return text;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(a minimal config gets defaults and paths relative to its folder) {
  auto config = parse_config(minimal, "/etc/shop/shopd.json");
  CAF_CHECK_EQUAL(config.listen.to_string(), "127.0.0.1:8080");
  CAF_CHECK_EQUAL(config.admin_listen.to_string(), "127.0.0.1:8081");
  CAF_CHECK_EQUAL(config.admin_token_file, "/etc/shop/admin.token");
  CAF_CHECK_EQUAL(config.db.password_file, "/secrets/db.password");
  CAF_CHECK_EQUAL(config.data_dir, "/etc/shop/data");
  CAF_CHECK_EQUAL(config.receipts_dir(), "/etc/shop/data/receipts");
  CAF_CHECK_EQUAL(config.db.port, 5432);
  CAF_CHECK_EQUAL(config.pool.size, 8u);
  CAF_CHECK_EQUAL(config.upstream.use, "primary");
  CAF_CHECK(!config.migrations_dir.empty());
  CAF_CHECK(!config.catalog.empty());
}

CAF_TEST(errors name the field) {
  CAF_CHECK(contains(error_of("{"), "not valid JSON"));
  CAF_CHECK(contains(error_of(with(R"("listen": "localhost")")), "field 'listen'"));
  CAF_CHECK(contains(error_of(with(R"("listen": "127.0.0.1:70000")")), "field 'listen'"));
  CAF_CHECK(contains(error_of(with(R"("pool": {"size": 0})")), "field 'pool.size'"));
  CAF_CHECK(contains(error_of(with(R"("pool": {"wait_timeout_ms": "1s"})")),
                     "field 'pool.wait_timeout_ms'"));
  CAF_CHECK(contains(error_of(with(R"("cache_ttl_ms": -1)")), "field 'cache_ttl_ms'"));
  CAF_CHECK(contains(error_of(with(R"("colour": "blue")")), "field 'colour': unknown field"));
  CAF_CHECK(contains(error_of(R"({"db": {"password_file": "p"}, "upstream": {"primary": "http://h:1"}, "data_dir": "d"})"),
                     "field 'admin_token_file'"));
  CAF_CHECK(contains(error_of(R"({"admin_token_file": "t", "db": {}, "upstream": {"primary": "http://h:1"}, "data_dir": "d"})"),
                     "field 'db.password_file'"));
}

CAF_TEST(the upstream needs URLs and a known choice) {
  auto upstream = [](const std::string& object) {
    auto text = minimal;
    auto at = text.find(R"("upstream": {"primary": "http://127.0.0.1:8090"})");
    text.replace(at, std::string{R"("upstream": {"primary": "http://127.0.0.1:8090"})"}.size(),
                 "\"upstream\": " + object);
    return error_of(text);
  };
  CAF_CHECK_EQUAL(upstream(R"({"primary": "http://a:1", "fallback": "http://b:2", "use": "fallback"})"),
                  "");
  CAF_CHECK(contains(upstream(R"({"primary": "ftp://a"})"), "field 'upstream.primary'"));
  CAF_CHECK(contains(upstream(R"({"primary": "http://a:1", "use": "fallback"})"),
                     "field 'upstream.use'"));
  CAF_CHECK(contains(upstream(R"({"primary": "http://a:1", "use": "backup"})"),
                     "field 'upstream.use'"));
  CAF_CHECK(contains(upstream(R"({"fallback": "http://a:1"})"), "field 'upstream.primary'"));
}

CAF_TEST(public and admin listeners must differ) {
  CAF_CHECK(contains(error_of(with(R"("listen": "127.0.0.1:9000", "admin_listen": "127.0.0.1:9000")")),
                     "field 'admin_listen'"));
}
