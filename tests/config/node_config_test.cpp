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
