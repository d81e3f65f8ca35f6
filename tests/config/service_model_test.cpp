// The service model: both stacks' models load into a graph; every bad model
// is refused with an error naming the file and the field.
#define CAF_SUITE service_model

#include "config/service_model.hpp"

#include <caf/test/unit_test.hpp>

#include "config/node_config.hpp"

using namespace vigil;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_service_model(text, "model.json", "/srv/stack");
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using graph = std::map<std::string, std::vector<std::string>>;

} // namespace

CAF_TEST(a model reads kinds and paths and the graph backwards) {
  auto m = parse_service_model(R"({
    // comments are allowed
    "secrets_dir": "secrets",
    "service_manager": {"state_file": "state/services.json"},
    "host": {"name": "box"},
    "services": [
      {"name": "db", "kind": "postgres", "address": "10.0.0.5:6000"},
      {"name": "pool", "kind": "tcp_proxy", "run": "pool", "address": "127.0.0.1:7000",
       "depends_on": [{"service": "db"}]},
      {"name": "api", "kind": "http_service", "run": "api-main",
       "depends_on": [{"service": "pool", "database": "app", "role": "writer", "secret": "pw"}],
       "volumes": [{"path": "/var/lib/api", "use": "data"},
                   {"path": "tmp", "use": "ephemeral", "min_free_mb": 8},
                   {"path": "/etc/api", "use": "never_touch"}]}
    ]})", "model.json", "/srv/stack");
  CAF_REQUIRE_EQUAL(m.services.size(), 3u);
  CAF_CHECK(m.find("pool")->kind == component_kind::tcp_proxy);
  CAF_CHECK_EQUAL(m.find("api")->run, "api-main");
  CAF_CHECK_EQUAL(m.state_file, "/srv/stack/state/services.json");
  CAF_CHECK_EQUAL(m.secret_path("pw"), "/srv/stack/secrets/pw");
  auto& volumes = m.find("api")->volumes;
  CAF_REQUIRE_EQUAL(volumes.size(), 3u);
  CAF_CHECK_EQUAL(volumes[1].path, "/srv/stack/tmp");
  CAF_CHECK(volumes[1].use == volume_use::ephemeral);
  CAF_CHECK_EQUAL(volumes[1].limits.value("min_free_mb", 0), 8);
  CAF_CHECK(volumes[2].use == volume_use::never_touch);
  auto g = m.dependents();
  CAF_CHECK_EQUAL(g["db"], (std::vector<std::string>{"pool"}));
  CAF_CHECK_EQUAL(g["pool"], (std::vector<std::string>{"api"}));
  // The database listens on another machine: not the host's.
  CAF_CHECK_EQUAL(g["box"], (std::vector<std::string>{"pool", "api"}));
  CAF_CHECK_EQUAL(g.count("api"), 0u);
}

CAF_TEST(both stacks have a model) {
  auto demo = load_service_model(std::string{VIGIL_SOURCE_DIR} + "/config/demo/model.json");
  auto g = demo.dependents();
  CAF_CHECK_EQUAL(g["target-db"], (std::vector<std::string>{"dbproxy"}));
  CAF_CHECK_EQUAL(g["dbproxy"], (std::vector<std::string>{"shopd"}));
  CAF_CHECK_EQUAL(g["pricingd-primary"], (std::vector<std::string>{"shopd"}));
  CAF_CHECK_EQUAL(g["host"].size(), demo.services.size());
  auto proxy = load_service_model(std::string{VIGIL_SOURCE_DIR} + "/config/proxy/model.json");
  g = proxy.dependents();
  CAF_CHECK_EQUAL(g["pgbouncer"], (std::vector<std::string>{"shopd-a", "shopd-b"}));
  CAF_CHECK_EQUAL(g["shopd-a"], (std::vector<std::string>{"nginx"}));
  CAF_CHECK(proxy.find("nginx")->kind == component_kind::http_proxy);
}

CAF_TEST(bad models name the file and the field) {
  auto e = error_of(R"({"services": [{"name": "a", "kind": "mainframe"}]})");
  CAF_CHECK(has(e, "model.json") && has(e, "services[0].kind") && has(e, "unknown kind"));
  e = error_of(R"({"services": [{"name": "a"}]})");
  CAF_CHECK(has(e, "services[0].kind") && has(e, "missing"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache", "depends_on": [{"service": "b"}]}]})");
  CAF_CHECK(has(e, "services[0].depends_on[0].service") && has(e, "no service named 'b'"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache", "depends_on": [{"service": "a"}]}]})");
  CAF_CHECK(has(e, "itself"));
  e = error_of(R"({"services": [
    {"name": "a", "kind": "cache", "depends_on": [{"service": "b"}]},
    {"name": "b", "kind": "cache", "depends_on": [{"service": "a"}]}]})");
  CAF_CHECK(has(e, "cycle"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache"}, {"name": "a", "kind": "cache"}]})");
  CAF_CHECK(has(e, "services[1].name") && has(e, "duplicate"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache", "run": "a"}]})");
  CAF_CHECK(has(e, "services[0].run") && has(e, "state_file"));
  e = error_of(R"({"services": [{"name": "db", "kind": "postgres"},
    {"name": "a", "kind": "cache", "depends_on": [{"service": "db", "database": "x"}]}]})");
  CAF_CHECK(has(e, "services[1].depends_on[0]") && has(e, "role"));
  e = error_of(R"({"services": [{"name": "db", "kind": "postgres"},
    {"name": "a", "kind": "cache",
     "depends_on": [{"service": "db", "database": "x", "role": "r", "secret": "s"}]}]})");
  CAF_CHECK(has(e, "depends_on[0].secret") && has(e, "secrets_dir"));
  e = error_of(R"({"services": [{"name": "db", "kind": "postgres"},
    {"name": "a", "kind": "cache", "depends_on": [{"service": "db", "ledger_table": "t"}]}]})");
  CAF_CHECK(has(e, "services[1].depends_on[0].database") && has(e, "ledger_table"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache", "helth": {}}]})");
  CAF_CHECK(has(e, "services[0].helth") && has(e, "unknown field"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache", "process": {}}]})");
  CAF_CHECK(has(e, "services[0].process") && has(e, "run"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache",
                                 "volumes": [{"path": "/x", "use": "scratch"}]}]})");
  CAF_CHECK(has(e, "services[0].volumes[0].use"));
  // Two data volumes of one service would share the name "a-data": a fix of
  // one could touch the other, so each must be named.
  e = error_of(R"({"services": [{"name": "a", "kind": "cache",
                                 "volumes": [{"path": "/x", "use": "data"},
                                             {"path": "/y", "use": "data"}]}]})");
  CAF_CHECK(has(e, "services[0].volumes[1].name") && has(e, "duplicate volume name 'a-data'"));
  CAF_CHECK_EQUAL(error_of(R"({"services": [{"name": "a", "kind": "cache",
                                 "volumes": [{"path": "/x", "use": "data"},
                                             {"path": "/y", "use": "data", "name": "a-spool"}]}]})"),
                  "");
  e = error_of(R"({"services": [{"name": "a", "kind": "cache",
                                 "logs": [{"path": "/x", "errors": "(open"}]}]})");
  CAF_CHECK(has(e, "services[0].logs[0].errors") && has(e, "regular expression"));
  e = error_of(R"({"services": [{"name": "a", "kind": "cache", "address": "nowhere"}]})");
  CAF_CHECK(has(e, "services[0].address"));
  e = error_of(R"({"host": {}, "services": [{"name": "host", "kind": "cache"}]})");
  CAF_CHECK(has(e, "names the host"));
  e = error_of(R"({"servicez": []})");
  CAF_CHECK(has(e, "servicez") && has(e, "unknown field"));
  e = error_of(R"({})");
  CAF_CHECK(has(e, "'services'") && has(e, "missing"));
  e = error_of(R"([1, 2])");
  CAF_CHECK(has(e, "model.json") && has(e, "object"));
}
