// The services file: defaults, paths resolved against its folder, and errors
// that name the file and the field.
#define CAF_SUITE services_config

#include "config/services_config.hpp"

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>

#include "tests/support/process.hpp"

using namespace vigil;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_services_config(text, "stack.json", "/srv/stack");
    return "";
  } catch (const config_error& e) {
    return e.what();
  }
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string with_service(const std::string& fields) {
  return R"({"services": [{"name": "db", "command": "/bin/sh")" + fields + "}]}";
}

} // namespace

CAF_TEST(a valid services file parses with defaults and resolved paths) {
  auto cfg = parse_services_config(R"(// the demo stack
    { "backend": "exec", "log_dir": "logs/services",
      "services": [
        { "name": "db", "command": "/bin/sh", "args": ["-c", "exec sleep 1"],
          "env": {"PGPORT": "5432"}, "cwd": "db", "data_dir": "/var/lib/db",
          "memory_limit_mb": 256, "ready_url": "http://127.0.0.1:5433/health",
          "ready_timeout_ms": 2000, "stop_timeout_ms": 1000 },
        { "name": "shop", "command": "/bin/sleep", "autostart": false } ] })",
                                   "stack.json", "/srv/stack");
  CAF_CHECK_EQUAL(cfg.backend, "exec");
  CAF_CHECK_EQUAL(cfg.log_dir, "/srv/stack/logs/services");
  CAF_CHECK_EQUAL(cfg.cgroup_parent, "vigil");
  CAF_REQUIRE_EQUAL(cfg.services.size(), 2u);
  auto& db = cfg.services[0];
  CAF_CHECK_EQUAL(db.args, std::vector<std::string>({"-c", "exec sleep 1"}));
  CAF_CHECK_EQUAL(db.env.at("PGPORT"), "5432");
  CAF_CHECK_EQUAL(db.cwd, "/srv/stack/db");
  CAF_CHECK_EQUAL(db.data_dir, "/var/lib/db");
  CAF_CHECK_EQUAL(db.memory_limit_mb, 256u);
  CAF_CHECK_EQUAL(db.ready_url, "http://127.0.0.1:5433/health");
  CAF_CHECK_EQUAL(db.ready_timeout_ms, 2000u);
  CAF_CHECK_EQUAL(db.stop_timeout_ms, 1000u);
  CAF_CHECK(db.autostart);
  auto& shop = cfg.services[1];
  CAF_CHECK_EQUAL(shop.cwd, "/srv/stack");
  CAF_CHECK_EQUAL(shop.memory_limit_mb, 0u);
  CAF_CHECK(shop.ready_url.empty());
  CAF_CHECK(!shop.autostart);
  CAF_CHECK(cfg.find("shop") == &shop);
  CAF_CHECK(cfg.find("nope") == nullptr);
}

CAF_TEST(a relative command resolves against the folder of the file) {
  auto dir = test::make_temp_dir("vigil-services-config");
  test::write_file(dir + "/run.sh", "#!/bin/sh\nexit 0\n");
  test::run_command({"/bin/chmod", "+x", dir + "/run.sh"});
  test::write_file(dir + "/stack.json",
                   R"({"services": [{"name": "x", "command": "./run.sh"}]})");
  auto cfg = load_services_config(dir + "/stack.json");
  CAF_REQUIRE_EQUAL(cfg.services.size(), 1u);
  CAF_CHECK_EQUAL(cfg.services[0].command, dir + "/run.sh");
  CAF_CHECK_EQUAL(cfg.log_dir, dir + "/logs");
}

CAF_TEST(errors name the file and the field) {
  CAF_CHECK_EQUAL(error_of(with_service("")), "");
  CAF_CHECK(mentions(error_of(R"({"services": [], "colour": 1})"),
                     "stack.json: field 'colour': unknown field"));
  CAF_CHECK(mentions(error_of(R"({"backend": "systemd", "services": []})"),
                     "field 'backend': unknown backend 'systemd'"));
  CAF_CHECK(mentions(error_of("{}"), "field 'services': missing"));
  CAF_CHECK(mentions(error_of(R"({"services": [{"name": "db"}]})"),
                     "field 'services[0].command': missing"));
  CAF_CHECK(mentions(error_of(R"({"services": [{"command": "/bin/sh"}]})"),
                     "field 'services[0].name': missing"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "command": "/nonexistent/bin")")),
                     "field 'services[0].command': '/nonexistent/bin' is not an executable"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "command": "/etc/passwd")")),
                     "is not an executable file"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "ready_url": "https://x")")),
                     "field 'services[0].ready_url': expected an http:// URL"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "memory_limit_mb": 0)")),
                     "field 'services[0].memory_limit_mb'"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "args": "-c")")), "field 'services[0].args'"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "env": {"A": 1})")),
                     "field 'services[0].env.A'"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "autostart": "yes")")),
                     "field 'services[0].autostart'"));
  CAF_CHECK(mentions(error_of(with_service(R"(, "restart": "always")")),
                     "field 'services[0].restart': unknown field"));
  CAF_CHECK(mentions(error_of(R"({"services": [{"name": "a b", "command": "/bin/sh"}]})"),
                     "field 'services[0].name'"));
  CAF_CHECK(mentions(error_of(R"({"services": [{"name": "a", "command": "/bin/sh"},
                                               {"name": "a", "command": "/bin/sh"}]})"),
                     "field 'services[1].name': duplicate service name 'a'"));
  CAF_CHECK(mentions(error_of(R"({"services": )"), "stack.json: not valid JSON"));
  CAF_CHECK_EQUAL(error_of(R"({"services": [], "cgroup_parent": "../x"})").empty(), false);
  try {
    load_services_config("/nonexistent/stack.json");
    CAF_FAIL("no error for a missing file");
  } catch (const config_error& e) {
    CAF_CHECK(mentions(e.what(), "/nonexistent/stack.json: cannot read the file"));
  }
}
