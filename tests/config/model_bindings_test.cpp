// What failure modes bind to on a model: a database's and a pooler's logins,
// an upstream's callers, one binding for apps sharing a login; the demo's
// and the proxy stack's models.
#define CAF_SUITE model_bindings

#include "config/model_bindings.hpp"

#include <caf/test/unit_test.hpp>

using namespace vigil;

namespace {

const std::string root = VIGIL_SOURCE_DIR;

/// Two APIs share one login through a pooler; a worker logs in straight to
/// the database with its own role; the APIs call a rates service.
const char* model_text = R"({
  "secrets_dir": "secrets",
  "service_manager": {"state_file": "run/state.json"},
  "host": {"name": "box"},
  "services": [
    {"name": "db", "kind": "postgres", "address": "10.0.0.5:6000"},
    {"name": "pool", "kind": "tcp_proxy", "run": "pool", "address": "127.0.0.1:7000",
     "depends_on": [{"service": "db"}]},
    {"name": "rates", "kind": "http_upstream", "health": {"url": "http://127.0.0.1:7100/"}},
    {"name": "rates-2", "kind": "http_upstream", "health": {"url": "http://127.0.0.1:7101/"}},
    {"name": "api-a", "kind": "http_service", "run": "api-a",
     "depends_on": [{"service": "pool", "database": "sales", "role": "api", "secret": "api-pw"},
                    {"service": "rates", "fallback": "rates-2"}]},
    {"name": "api-b", "kind": "http_service", "run": "api-b",
     "depends_on": [{"service": "pool", "database": "sales", "role": "api", "secret": "api-pw"},
                    {"service": "rates", "fallback": "rates-2"}]},
    {"name": "worker", "kind": "http_service", "run": "worker",
     "depends_on": [{"service": "db", "database": "sales", "role": "batch", "secret": "batch-pw",
                     "ledger_table": "invoices"}],
     "volumes": [{"path": "spool", "use": "data"}, {"path": "tmp", "use": "ephemeral"},
                 {"path": "keys", "use": "never_touch"},
                 {"path": "archive", "use": "data", "name": "worker-archive"}]}
  ]})";

service_model model() {
  return parse_service_model(model_text, "test model", "/srv");
}

} // namespace

CAF_TEST(a database is bound once per login and apps sharing one are listed) {
  auto bs = bindings_of(model(), "db");
  CAF_REQUIRE_EQUAL(bs.size(), 2u);
  auto& shared = bs[0];
  CAF_CHECK_EQUAL(shared.at("$service"), "db");
  CAF_CHECK_EQUAL(shared.at("$kind"), "postgres");
  CAF_CHECK_EQUAL(shared.at("$app"), "api-a");
  CAF_CHECK_EQUAL(shared.at("$apps"), "api-a,api-b");
  CAF_CHECK_EQUAL(shared.at("$hop"), "pool");
  CAF_CHECK_EQUAL(shared.at("$db"), "db");
  CAF_CHECK_EQUAL(shared.at("$role"), "api");
  CAF_CHECK_EQUAL(shared.at("$secret"), "api-pw");
  auto& direct = bs[1];
  CAF_CHECK_EQUAL(direct.at("$app"), "worker");
  CAF_CHECK_EQUAL(direct.at("$hop"), "db"); // no proxy on the way
  CAF_CHECK_EQUAL(direct.at("$role"), "batch");
  // Only the login that names its ledger binds a table whose rows can be lost.
  CAF_CHECK_EQUAL(direct.at("$table"), "invoices");
  CAF_CHECK_EQUAL(shared.count("$table"), 0u);
}

CAF_TEST(a pooler is bound to the logins that pass it only) {
  auto bs = bindings_of(model(), "pool");
  CAF_REQUIRE_EQUAL(bs.size(), 1u);
  CAF_CHECK_EQUAL(bs[0].at("$kind"), "tcp_proxy");
  CAF_CHECK_EQUAL(bs[0].at("$db"), "db");
  CAF_CHECK_EQUAL(bs[0].at("$apps"), "api-a,api-b");
}

CAF_TEST(an upstream is bound to its callers and their fallback) {
  auto bs = bindings_of(model(), "rates");
  CAF_REQUIRE_EQUAL(bs.size(), 2u);
  CAF_CHECK_EQUAL(bs[0].at("$app"), "api-a");
  CAF_CHECK_EQUAL(bs[0].at("$fallback"), "rates-2");
  // Nobody calls the fallback as an upstream of its own: no caller binding.
  auto fallback = bindings_of(model(), "rates-2");
  CAF_REQUIRE_EQUAL(fallback.size(), 1u);
  CAF_CHECK_EQUAL(fallback[0].count("$app"), 0u);
}

CAF_TEST(anything else is itself and its kind and the host is itself) {
  auto api = bindings_of(model(), "api-a");
  CAF_REQUIRE_EQUAL(api.size(), 1u);
  CAF_CHECK_EQUAL(api[0], (binding{{"$service", "api-a"}, {"$kind", "http_service"}}));
  CAF_CHECK_EQUAL(bindings_of(model(), "box"), (std::vector<binding>{{{"$service", "box"}}}));
  auto all = all_bindings(model());
  CAF_CHECK_EQUAL(all.size(), 8u); // seven services and the host
}

CAF_TEST(a service with volumes is bound once per volume its probes watch) {
  auto worker = bindings_of(model(), "worker");
  // Two data volumes and an ephemeral one; never the untouchable one.
  CAF_REQUIRE_EQUAL(worker.size(), 3u);
  CAF_CHECK_EQUAL(worker[0], (binding{{"$service", "worker"}, {"$kind", "http_service"},
                                      {"$volume", "worker-data"}}));
  CAF_CHECK_EQUAL(worker[1].at("$volume"), "worker-ephemeral");
  CAF_CHECK_EQUAL(worker[2].at("$volume"), "worker-archive"); // by the name the model gives
  // The database the worker logs in to keeps its login bindings, without volumes.
  for (auto& b : bindings_of(model(), "db"))
    CAF_CHECK_EQUAL(b.count("$volume"), 0u);
  // Every placeholder a binding fills is known as the model's (a step naming
  // one its binding lacks is not a plan).
  for (auto& [component, bs] : all_bindings(model()))
    for (auto& b : bs)
      for (auto& [name, value] : b)
        CAF_CHECK_EQUAL(binding_placeholders().count(name), 1u);
}

CAF_TEST(both stacks of the repository bind their database to the shop login) {
  auto demo = load_service_model(root + "/config/demo/model.json");
  auto db = bindings_of(demo, "target-db");
  CAF_REQUIRE_EQUAL(db.size(), 1u);
  CAF_CHECK_EQUAL(db[0].at("$hop"), "dbproxy");
  CAF_CHECK_EQUAL(db[0].at("$app"), "shopd");
  CAF_CHECK_EQUAL(db[0].at("$secret"), "shop-db-password");
  CAF_CHECK_EQUAL(db[0].at("$table"), "orders");
  auto proxy = load_service_model(root + "/config/proxy/model.json");
  auto pdb = bindings_of(proxy, "target-db");
  CAF_REQUIRE_EQUAL(pdb.size(), 1u);
  CAF_CHECK_EQUAL(pdb[0].at("$hop"), "pgbouncer");
  CAF_CHECK_EQUAL(pdb[0].at("$apps"), "shopd-a,shopd-b");
}
