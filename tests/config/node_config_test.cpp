// Node config: comments allowed, every bad field named in the error.
#define CAF_SUITE node_config

#include "config/node_config.hpp"

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

using namespace vigil;

namespace {

/// The error message parsing `text` gives, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    auto cfg = parse_node_config(text, "test.json");
    validate(cfg, "test.json");
    return "";
  } catch (const config_error& e) {
    return e.what();
  }
}

template <class F>
bool throws_config_error(F f) {
  try {
    f();
  } catch (const config_error&) {
    return true;
  }
  return false;
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(a valid config with comments parses) {
  auto cfg = parse_node_config(R"(// a node
    { "id": "n1", /* inline */ "port": 4300, "roles": ["action", "probe"],
      "join": ["10.0.0.1:4200"], "heartbeat_ms": 100, "down_after_ms": 900 })",
                               "test.json");
  validate(cfg, "test.json");
  CAF_CHECK_EQUAL(cfg.id, "n1");
  CAF_CHECK_EQUAL(cfg.port, 4300u);
  CAF_CHECK_EQUAL(cfg.host, "127.0.0.1");
  CAF_CHECK(cfg.has_role("probe"));
  CAF_CHECK(!cfg.has_role("control"));
  CAF_REQUIRE_EQUAL(cfg.join.size(), 1u);
  CAF_CHECK_EQUAL(cfg.join[0].host, "10.0.0.1");
  CAF_CHECK_EQUAL(cfg.join[0].port, 4200u);
  CAF_CHECK_EQUAL(cfg.heartbeat_ms, 100u);
}

CAF_TEST(errors name the file and the field) {
  auto base = [](const std::string& extra) {
    return R"({"id": "n1", "roles": ["control"])" + extra + "}";
  };
  CAF_CHECK_EQUAL(error_of(base("")), "");
  CAF_CHECK(mentions(error_of(base(R"(, "port": "4200")")), "test.json: field 'port'"));
  CAF_CHECK(mentions(error_of(base(R"(, "port": 70000)")), "field 'port'"));
  CAF_CHECK(mentions(error_of(base(R"(, "port": -1)")), "field 'port'"));
  CAF_CHECK(mentions(error_of(base(R"(, "colour": "red")")), "field 'colour': unknown field"));
  CAF_CHECK(mentions(error_of(base(R"(, "join": ["nohost"])")), "field 'join'"));
  CAF_CHECK(mentions(error_of(base(R"(, "join": ["h:0"])")), "field 'join'"));
  CAF_CHECK(mentions(error_of(base(R"(, "log_level": "loud")")), "field 'log_level'"));
  CAF_CHECK(mentions(error_of(base(R"(, "heartbeat_ms": 500, "down_after_ms": 400)")),
                     "field 'down_after_ms'"));
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": ["wizard"]})"), "unknown role 'wizard'"));
  CAF_CHECK(mentions(error_of(R"({"id": "a b", "roles": ["control"]})"), "field 'id'"));
  CAF_CHECK(mentions(error_of(R"({"roles": ["control"]})"), "field 'id'"));
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": ["probe"]})"), "field 'join'"));
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": []})"), "field 'roles'"));
  CAF_CHECK(mentions(error_of(R"({"id": "n1", )"), "not valid JSON"));
  CAF_CHECK(mentions(error_of(R"([1, 2])"), "JSON object"));
}

CAF_TEST(role lists and endpoints from the command line are checked) {
  CAF_CHECK_EQUAL(parse_roles("control,probe,control"),
                  std::vector<std::string>({"control", "probe"}));
  CAF_CHECK(throws_config_error([] { parse_roles("control,nope"); }));
  CAF_CHECK(throws_config_error([] { parse_roles(""); }));
  CAF_CHECK_EQUAL(parse_endpoint("::1:4200", "join").host, "::1");
  CAF_CHECK_EQUAL(parse_endpoint("[::1]:4200", "join").host, "::1");
  CAF_CHECK(throws_config_error([] { parse_endpoint("host:", "join"); }));
  CAF_CHECK(throws_config_error([] { parse_endpoint("host:12a", "join"); }));
  CAF_CHECK(throws_config_error([] { load_node_config("/nonexistent/x.json"); }));
}

CAF_TEST(the demo configs are valid) {
  for (auto name : {"control", "action-probe", "chaos"}) {
    auto path = std::string{VIGIL_SOURCE_DIR} + "/config/demo/" + name + ".json";
    auto cfg = load_node_config(path);
    validate(cfg, path);
    CAF_CHECK(!cfg.id.empty());
  }
}

CAF_TEST(the stack field resolves against the folder of the config file) {
  auto relative = parse_node_config(
    R"({"id": "a1", "roles": ["action"], "join": ["h:1"], "stack": "../stack/services.json"})",
    "/etc/vigil/nodes/action.json");
  CAF_CHECK_EQUAL(relative.stack, "/etc/vigil/stack/services.json");
  auto absolute = parse_node_config(R"({"id": "a1", "roles": ["control"], "stack": "/s.json"})",
                                    "/etc/vigil/control.json");
  CAF_CHECK_EQUAL(absolute.stack, "/s.json");
  auto none = parse_node_config(R"({"id": "a1", "roles": ["control"]})", "x.json");
  CAF_CHECK(none.stack.empty());
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": ["action"], "join": ["h:1"], "stack": ""})"),
                     "field 'stack': must not be empty"));
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": ["action"], "join": ["h:1"], "stack": 1})"),
                     "field 'stack': expected a string"));
}

CAF_TEST(metrics_listen takes an IP address and a port) {
  auto cfg = [](const std::string& listen) {
    return parse_node_config(R"({"id": "n1", "roles": ["control"], "metrics_listen": ")" + listen
                               + R"("})",
                             "test.json");
  };
  CAF_CHECK(parse_node_config(R"({"id": "n1", "roles": ["control"]})", "x.json")
              .metrics_listen.empty());
  CAF_CHECK_EQUAL(cfg("127.0.0.1:9200").metrics_listen, "127.0.0.1:9200");
  CAF_CHECK_EQUAL(cfg("0.0.0.0:9200").metrics_listen, "0.0.0.0:9200");
  CAF_CHECK_EQUAL(cfg("[::1]:9200").metrics_listen, "[::1]:9200");
  auto base = [](const std::string& extra) {
    return R"({"id": "n1", "roles": ["control"], "metrics_listen": )" + extra + "}";
  };
  for (auto bad : {R"("9200")", R"("127.0.0.1:")", R"("127.0.0.1:0")", R"("127.0.0.1:70000")",
                   R"("127.0.0.1:92a0")", R"("localhost:9200")", R"("")", R"(9200)",
                   "\"127.0.0.1:\xef\xbc\x99\""}) {
    CAF_MESSAGE("metrics_listen " << bad);
    CAF_CHECK(mentions(error_of(base(bad)), "test.json: field 'metrics_listen'"));
  }
  CAF_CHECK(mentions(error_of(base(R"("localhost:9200")")), "expected an IP address"));
}

CAF_TEST(the probes file resolves against the folder of the config file) {
  auto cfg = parse_node_config(
    R"({"id": "p1", "roles": ["probe"], "join": ["h:1"], "probes": "probes.json"})",
    "/etc/vigil/probe.json");
  CAF_CHECK_EQUAL(cfg.probes, "/etc/vigil/probes.json");
  CAF_CHECK(parse_node_config(R"({"id": "p1", "roles": ["control"]})", "x.json").probes.empty());
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": ["control"], "probes": ""})"),
                     "field 'probes': must not be empty"));
  CAF_CHECK(mentions(error_of(R"({"id": "n1", "roles": ["control"], "probes": ["a"]})"),
                     "field 'probes': expected a string"));
}

CAF_TEST(the ops store becomes a connection string) {
  auto cfg = parse_node_config(R"({"id": "c1", "roles": ["control"],
    "ops_store": {"socket_dir": "../var/pg/ops", "port": 5434, "dbname": "ops", "user": "vigil",
                  "spool_dir": "spool", "retention": {"events_hours": 24, "samples_hours": 6}}})",
                               "/etc/vigil/nodes/control.json");
  CAF_CHECK_EQUAL(cfg.ops_store.dsn,
                  "host=/etc/vigil/var/pg/ops port=5434 dbname=ops user=vigil connect_timeout=3");
  CAF_CHECK_EQUAL(cfg.ops_store.spool_dir, "/etc/vigil/nodes/spool");
  CAF_CHECK_EQUAL(cfg.ops_store.retain_events_hours, 24u);
  CAF_CHECK_EQUAL(cfg.ops_store.retain_samples_hours, 6u);

  auto by_host = parse_node_config(
    R"({"id": "c1", "roles": ["control"], "ops_store": {"host": "db.example", "port": 6000}})",
    "x.json");
  CAF_CHECK_EQUAL(by_host.ops_store.dsn,
                  "host=db.example port=6000 dbname=vigil user=postgres connect_timeout=3");
  CAF_CHECK(!by_host.ops_store.spool_dir.empty());
  CAF_CHECK_EQUAL(by_host.ops_store.retain_events_hours, 168u);
  CAF_CHECK_EQUAL(by_host.ops_store.retain_samples_hours, 48u);

  auto defaults = parse_node_config(R"({"id": "c1", "roles": ["control"], "ops_store": {}})",
                                    "x.json");
  CAF_CHECK_EQUAL(defaults.ops_store.dsn,
                  "host=127.0.0.1 port=5432 dbname=vigil user=postgres connect_timeout=3");
  auto none = parse_node_config(R"({"id": "c1", "roles": ["control"]})", "x.json");
  CAF_CHECK(none.ops_store.dsn.empty());
}

CAF_TEST(ops store errors name the field) {
  auto base = [](const std::string& store) {
    return R"({"id": "n1", "roles": ["control"], "ops_store": )" + store + "}";
  };
  std::vector<std::pair<std::string, std::string>> cases{
    {R"("host=x")", "field 'ops_store': expected an object"},
    {R"({"colour": "red"})", "field 'ops_store.colour': unknown field"},
    {R"({"port": 0})", "field 'ops_store.port'"},
    {R"({"port": "5434"})", "field 'ops_store.port'"},
    {R"({"dbname": "a b"})", "field 'ops_store.dbname': must be a plain name"},
    {R"({"dbname": ""})", "field 'ops_store.dbname'"},
    {R"({"user": "x'y"})", "field 'ops_store.user'"},
    {R"({"user": "a=b"})", "field 'ops_store.user'"},
    {R"({"host": "a b"})", "field 'ops_store.host'"},
    {R"({"host": ""})", "field 'ops_store.host'"},
    {R"({"socket_dir": "/var/my pg"})", "field 'ops_store.socket_dir'"},
    {R"({"socket_dir": ""})", "field 'ops_store.socket_dir': must not be empty"},
    {R"({"socket_dir": "/s", "host": "h"})", "field 'ops_store': give socket_dir"},
    {R"({"spool_dir": 7})", "field 'ops_store.spool_dir': expected a string"},
    {R"({"retention": 24})", "field 'ops_store.retention'"},
    {R"({"retention": {"events_hours": 0}})", "field 'ops_store.retention.events_hours'"},
    {R"({"retention": {"samples_hours": 87601}})", "field 'ops_store.retention.samples_hours'"},
    {R"({"retention": {"days": 7}})", "field 'ops_store.retention.days': unknown field"},
  };
  for (auto& [store, expected] : cases) {
    CAF_MESSAGE("ops_store " << store);
    auto error = error_of(base(store));
    CAF_CHECK(mentions(error, "test.json: " + expected));
    if (!mentions(error, expected))
      CAF_MESSAGE("got: " << error);
  }
}

CAF_TEST(knowledge folders resolve against the folder of the config file) {
  auto cfg = parse_node_config(
    R"({"id": "c1", "roles": ["control"], "knowledge": ["runbooks", "/srv/docs"]})",
    "/etc/vigil/control.json");
  CAF_CHECK_EQUAL(cfg.knowledge, std::vector<std::string>({"/etc/vigil/runbooks", "/srv/docs"}));
  CAF_CHECK(parse_node_config(R"({"id": "c1", "roles": ["control"], "knowledge": []})", "x.json")
              .knowledge.empty());
  auto base = [](const std::string& extra) {
    return R"({"id": "n1", "roles": ["control"], "knowledge": )" + extra + "}";
  };
  CAF_CHECK(mentions(error_of(base(R"("runbooks")")), "field 'knowledge': expected an array"));
  CAF_CHECK(mentions(error_of(base(R"([1])")), "field 'knowledge': expected a string"));
  CAF_CHECK(mentions(error_of(base(R"([""])")), "field 'knowledge': must not be empty"));
}

CAF_TEST(the demo control node has metrics and an ops store and knowledge) {
  auto path = std::string{VIGIL_SOURCE_DIR} + "/config/demo/control.json";
  auto cfg = load_node_config(path);
  CAF_CHECK_EQUAL(cfg.metrics_listen, "127.0.0.1:9200");
  CAF_CHECK(mentions(cfg.ops_store.dsn, "port=5434 dbname=vigil"));
  CAF_CHECK(mentions(cfg.ops_store.dsn, "/var/pg/ops"));
  CAF_CHECK_EQUAL(cfg.knowledge.size(), 2u);
  for (auto name : {"action-probe", "chaos"}) {
    auto other = load_node_config(std::string{VIGIL_SOURCE_DIR} + "/config/demo/" + name + ".json");
    CAF_CHECK(!other.metrics_listen.empty());
    CAF_CHECK_NOT_EQUAL(other.metrics_listen, cfg.metrics_listen);
  }
}
