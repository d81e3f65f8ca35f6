// Probes derived from a service model: what each part of a service's model
// becomes, checked against the probe kinds; the demo's model gives the probes
// the demo has always had.
#define CAF_SUITE model_probes

#include "config/model_probes.hpp"

#include <caf/test/unit_test.hpp>

#include <set>

#include "config/node_config.hpp"
#include "config/probes_config.hpp"

using namespace vigil;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const probe_config* probe(const probes_config& cfg, const std::string& name) {
  for (auto& p : cfg.probes)
    if (p.name == name)
      return &p;
  return nullptr;
}

/// A stack nobody here wrote: an API behind nothing, a pooler, a remote
/// database, an upstream, a cache.
const char* model_text = R"({
  "secrets_dir": "secrets",
  "service_manager": {"state_file": "run/state.json"},
  "host": {"name": "box", "max_cpu_busy": 0.8},
  "services": [
    {"name": "db", "kind": "postgres", "address": "10.0.0.5:6000",
     "logs": [{"path": "/var/log/pg.log"}], "reach": {"timeout_ms": 700}},
    {"name": "pool", "kind": "tcp_proxy", "run": "pool", "address": "127.0.0.1:7000",
     "reach": {"slow_ms": 90}, "depends_on": [{"service": "db"}]},
    {"name": "rates", "kind": "http_upstream", "health": {"url": "http://10.0.0.9/ping"}},
    {"name": "memo", "kind": "cache", "address": "127.0.0.1:11211"},
    {"name": "api", "kind": "http_service", "run": "api-main",
     "health": {"url": "http://127.0.0.1:9000/live", "interval_ms": 100},
     "ready": {"url": "http://127.0.0.1:9000/ready"},
     "process": {"max_rss_mb": 64},
     "consistency": {"url": "http://127.0.0.1:9000/items", "price_sql": "SELECT id, cents FROM items"},
     "depends_on": [{"service": "pool", "database": "app", "role": "writer", "secret": "pw",
                     "expects": [{"name": "items", "sql": "SELECT 1 FROM items LIMIT 0"}]},
                    {"service": "rates"}, {"service": "memo"}],
     "volumes": [{"path": "/var/lib/api", "use": "data", "min_free_mb": 4},
                 {"path": "/tmp/api", "use": "ephemeral"},
                 {"path": "/etc/api", "use": "never_touch"}],
     "logs": [{"path": "/var/log/api.log", "errors": "ERROR"}, {"path": "/var/log/api-access.log"}]},
    {"name": "worker", "kind": "http_service", "run": "worker",
     "depends_on": [{"service": "pool", "database": "app", "role": "writer", "secret": "pw"}]}
  ]})";

probes_config derived(const std::string& model) {
  auto dir = std::string{"/tmp/vigil-model-probes-test"};
  std::system(("mkdir -p " + dir).c_str());
  {
    std::FILE* f = std::fopen((dir + "/model.json").c_str(), "w");
    std::fputs(model.c_str(), f);
    std::fclose(f);
  }
  return parse_probes_config(R"({"model": "model.json", "probes": []})", dir + "/probes.json", dir);
}

std::string error_of(const std::string& model) {
  try {
    derived(model);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

} // namespace

CAF_TEST(each part of a service model becomes its probe) {
  auto cfg = derived(model_text);
  std::set<std::string> names;
  for (auto& p : cfg.probes)
    names.insert(p.name);
  CAF_CHECK_EQUAL(names, (std::set<std::string>{
                           "pool-process", "pool-db", "db", "rates-health", "memo-tcp",
                           "api-health", "api-ready", "api-process", "api-disk", "api-disk-2",
                           "api-log", "api-data", "worker-process", "box-cpu"}));
  auto* health = probe(cfg, "api-health");
  CAF_REQUIRE(health);
  CAF_CHECK_EQUAL(health->kind, "http");
  CAF_CHECK_EQUAL(health->target, "api");
  CAF_CHECK_EQUAL(health->interval_ms, 100u);
  auto* process = probe(cfg, "api-process");
  CAF_REQUIRE(process);
  CAF_CHECK_EQUAL(process->service, "api-main");
  CAF_CHECK_EQUAL(process->state_file, "/tmp/vigil-model-probes-test/run/state.json");
  CAF_CHECK_EQUAL(process->max_rss_mb, 64u);
  // The never_touch volume is not watched; the access log has no error pattern.
  CAF_CHECK_EQUAL(probe(cfg, "api-disk-2")->path, "/tmp/api");
  CAF_CHECK_EQUAL(probe(cfg, "api-log")->patterns.at(0).regex, "ERROR");
  // The login from the app's point of view, at every hop, as the app's role.
  auto* hop = probe(cfg, "pool-db");
  CAF_REQUIRE(hop);
  CAF_CHECK_EQUAL(hop->kind, "postgres");
  CAF_CHECK_EQUAL(hop->target, "pool");
  CAF_CHECK_EQUAL(hop->db_port, 7000);
  CAF_CHECK_EQUAL(hop->user, "writer");
  CAF_CHECK_EQUAL(hop->password_file, "/tmp/vigil-model-probes-test/secrets/pw");
  CAF_CHECK_EQUAL(hop->slow_ms, 90u);
  CAF_CHECK(hop->checks.empty());
  auto* db = probe(cfg, "db");
  CAF_REQUIRE(db);
  CAF_CHECK_EQUAL(db->db_host, "10.0.0.5");
  CAF_CHECK_EQUAL(db->db_port, 6000);
  CAF_CHECK_EQUAL(db->dbname, "app");
  CAF_CHECK_EQUAL(db->server_log, "/var/log/pg.log");
  CAF_CHECK_EQUAL(db->timeout_ms, 700u);
  CAF_REQUIRE_EQUAL(db->checks.size(), 1u);
  CAF_CHECK_EQUAL(db->checks[0].name, "items");
  // The consistency check compares with the database itself, not via the pool.
  auto* data = probe(cfg, "api-data");
  CAF_REQUIRE(data);
  CAF_CHECK_EQUAL(data->db_port, 6000);
  CAF_CHECK_EQUAL(data->price_sql, "SELECT id, cents FROM items");
  CAF_CHECK_EQUAL(probe(cfg, "memo-tcp")->address, "127.0.0.1:11211");
  CAF_CHECK_EQUAL(probe(cfg, "box-cpu")->max_cpu_busy, 0.8);
}

CAF_TEST(a model that cannot be probed says where) {
  // A database reached through a proxy with no address.
  auto e = error_of(R"({"service_manager": {"state_file": "s"}, "services": [
    {"name": "db", "kind": "postgres", "address": "127.0.0.1:5432"},
    {"name": "pool", "kind": "tcp_proxy", "depends_on": [{"service": "db"}]},
    {"name": "api", "kind": "http_service",
     "depends_on": [{"service": "pool", "database": "d", "role": "r"}]}]})");
  CAF_CHECK(has(e, "model.json") && has(e, "services[2].depends_on[0]") && has(e, "'pool' has no address"));
  // A proxy that forwards to nothing.
  e = error_of(R"({"services": [
    {"name": "pool", "kind": "tcp_proxy", "address": "127.0.0.1:1"},
    {"name": "api", "kind": "http_service",
     "depends_on": [{"service": "pool", "database": "d", "role": "r"}]}]})");
  CAF_CHECK(has(e, "depends on nothing"));
  // A probe field of the wrong kind, named where the model gives it.
  e = error_of(R"({"services": [{"name": "api", "kind": "http_service",
                                 "health": {"url": "http://127.0.0.1/x", "address": "a:1"}}]})");
  CAF_CHECK(has(e, "services[0].health") && has(e, "address") && has(e, "unknown field"));
  e = error_of(R"({"services": [{"name": "api", "kind": "http_service", "health": {}}]})");
  CAF_CHECK(has(e, "services[0].health") && has(e, "url") && has(e, "missing"));
  // A consistency check needs a database to compare with.
  e = error_of(R"({"services": [{"name": "api", "kind": "http_service",
                                 "consistency": {"url": "http://127.0.0.1/items"}}]})");
  CAF_CHECK(has(e, "services[0].consistency") && has(e, "database login"));
}

CAF_TEST(a probes file adds to the model and may not reuse its names) {
  derived(model_text);
  auto dir = std::string{"/tmp/vigil-model-probes-test"};
  try {
    parse_probes_config(R"({"model": "model.json", "probes": [
      {"name": "api-health", "kind": "tcp", "address": "127.0.0.1:1"}]})",
                        dir + "/probes.json", dir);
    CAF_FAIL("a probe name of the model was reused");
  } catch (const config_error& e) {
    CAF_CHECK(has(e.what(), "probes[0].name") && has(e.what(), "duplicate"));
  }
}

CAF_TEST(the demo model gives the demo its probes) {
  auto cfg = load_probes_config(std::string{VIGIL_SOURCE_DIR} + "/config/demo/probes.json");
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& p : cfg.probes)
    seen.insert({p.target, p.kind});
  for (auto want : std::vector<std::pair<std::string, std::string>>{
         {"shopd", "http"}, {"shopd", "process"}, {"shopd", "disk"}, {"shopd", "log"},
         {"shopd", "data"}, {"shopd", "metrics"}, {"pricingd-primary", "http"},
         {"pricingd-primary", "process"}, {"pricingd-fallback", "http"},
         {"target-db", "postgres"}, {"dbproxy", "postgres"}, {"dbproxy", "http"},
         {"dbproxy", "process"}, {"host", "host"}, {"control-1", "tcp"}})
    if (seen.count(want) == 0)
      CAF_FAIL("no " << want.second << " probe of " << want.first);
  auto* db = probe(cfg, "target-db");
  CAF_REQUIRE(db);
  CAF_CHECK_EQUAL(db->checks.size(), 5u);
  CAF_CHECK(has(db->server_log, "var/pg/target/postgres.log"));
  CAF_CHECK(has(db->password_file, "var/secrets/shop-db-password"));
  auto proxy = load_probes_config(std::string{VIGIL_SOURCE_DIR} + "/config/proxy/probes.json");
  CAF_CHECK(probe(proxy, "pgbouncer-db") && probe(proxy, "nginx-process")
            && probe(proxy, "shopd-b-ready") && probe(proxy, "target-db"));
}
