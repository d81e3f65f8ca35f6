// The chaos plane's pure parts: parameter checks, the catalogue, the
// monkey's seeded plan, the targets config.
#define CAF_SUITE chaos

#include <algorithm>
#include <set>

#include <caf/test/unit_test.hpp>

#include "chaos/fault.hpp"
#include "chaos/faults/faults.hpp"
#include "chaos/monkey.hpp"
#include "chaos/target_config.hpp"
#include "config/node_config.hpp"
#include "messages/chaos_json.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::chaos;

namespace {

std::vector<fault_kind> catalogue() {
  fault_context ctx;
  std::vector<fault_kind> kinds;
  for (auto& f : make_catalogue(ctx))
    kinds.push_back(f->kind());
  return kinds;
}

const fault_kind& kind_named(const std::vector<fault_kind>& kinds, const std::string& name) {
  for (auto& k : kinds)
    if (k.name == name)
      return k;
  throw std::runtime_error("no kind " + name);
}

std::string error_of(const fault_kind& k, const std::string& params) {
  try {
    validate_params(k, params);
    return "";
  } catch (const fault_error& e) {
    return e.what();
  }
}

} // namespace

CAF_TEST(the catalogue has every fault kind with a label and a risk) {
  auto kinds = catalogue();
  std::set<std::string> names;
  for (auto& k : kinds) {
    names.insert(k.name);
    CAF_CHECK(!k.label.empty());
    CAF_CHECK(k.risk == "safe" || k.risk == "destructive");
    CAF_CHECK(!k.description.empty());
    CAF_CHECK(!k.revert.empty());
    // What a drill accepts as its fix (anything else counts as harm).
    CAF_CHECK(!k.fixes.empty());
    for (auto& f : k.fixes)
      CAF_CHECK(!f.tool.empty());
  }
  for (auto name : {"crash", "oom", "db_auth", "disk_full", "db_down", "conn_exhaust", "lock",
                    "latency", "upstream_down", "cache_poison", "bad_config", "schema_drift",
                    "data_loss", "cpu_hog", "actor_kill", "node_kill"})
    CAF_CHECK(names.count(name) == 1);
  CAF_CHECK_EQUAL(kind_named(kinds, "data_loss").risk, "destructive");
  // A database fault is not fixed by restarting the healthy app.
  auto& db_down = kind_named(kinds, "db_down");
  CAF_CHECK(std::none_of(db_down.fixes.begin(), db_down.fixes.end(),
                         [](const fault_fix& f) { return f.tool == "restart_service"; }));
}

CAF_TEST(parameters are checked and completed) {
  auto kinds = catalogue();
  auto& latency = kind_named(kinds, "latency");
  auto full = validate_params(latency, R"({"delay_ms": 250})");
  CAF_CHECK_EQUAL(full["delay_ms"].get<long long>(), 250);
  CAF_CHECK_EQUAL(full["jitter_ms"].get<long long>(), 100); // the default
  CAF_CHECK_EQUAL(validate_params(latency, R"({"delay_ms": "300"})")["delay_ms"].get<long long>(),
                  300);
  CAF_CHECK(error_of(latency, R"({"delay_ms": 0})").find("out of bounds") != std::string::npos);
  CAF_CHECK(error_of(latency, R"({"delay_ms": 1.5})").find("integer") != std::string::npos);
  CAF_CHECK(error_of(latency, R"({"dleay_ms": 5})").find("unknown parameter 'dleay_ms'")
            != std::string::npos);
  CAF_CHECK(error_of(latency, R"([1])").find("JSON object") != std::string::npos);
  CAF_CHECK(error_of(latency, R"({"delay_ms": )").find("not valid JSON") != std::string::npos);
  auto& db_down = kind_named(kinds, "db_down");
  CAF_CHECK(error_of(db_down, R"({"mode": "gentle"})").find("not one of") != std::string::npos);
  CAF_CHECK_EQUAL(error_of(db_down, R"({"mode": "immediate"})"), "");
  CAF_CHECK(error_of(kind_named(kinds, "crash"), R"({"x": 1})").find("takes none")
            != std::string::npos);
}

CAF_TEST(the monkey plans the same sequence for the same seed) {
  auto kinds = catalogue();
  chaos_schedule s;
  s.on = true;
  s.mean_interval_s = 30;
  s.seed = 42;
  auto plan = [&](uint64_t seed) {
    s.seed = seed;
    monkey m{s, kinds};
    std::vector<std::string> seq;
    for (int i = 0; i < 20; ++i) {
      auto p = m.next();
      seq.push_back(p.request.fault + " " + p.request.params_json + " "
                    + std::to_string(p.request.duration_s) + " " + std::to_string(p.delay_s));
    }
    return seq;
  };
  auto first = plan(42);
  CAF_CHECK(first == plan(42));
  CAF_CHECK(first != plan(43));
  // Unlisted, only safe faults that need no name; destructive ones never.
  monkey m{s, kinds};
  for (auto& k : m.candidates()) {
    CAF_CHECK_EQUAL(k.risk, "safe");
    CAF_CHECK(k.name != "actor_kill" && k.name != "node_kill");
  }
  s.faults = {"lock", "latency"};
  monkey listed{s, kinds};
  CAF_CHECK_EQUAL(listed.candidates().size(), 2u);
  for (int i = 0; i < 10; ++i) {
    auto p = listed.next();
    CAF_CHECK(p.request.fault == "lock" || p.request.fault == "latency");
    CAF_CHECK(p.request.duration_s >= s.min_duration_s && p.request.duration_s <= s.max_duration_s);
    CAF_CHECK(p.delay_s >= 0);
    // The plan's parameters pass the fault's own checks.
    CAF_CHECK_EQUAL(error_of(kind_named(kinds, p.request.fault), p.request.params_json), "");
  }
}

CAF_TEST(schedules are checked) {
  auto kinds = catalogue();
  chaos_schedule s;
  CAF_CHECK_EQUAL(check_schedule(s, kinds), "");
  s.faults = {"nope"};
  CAF_CHECK(check_schedule(s, kinds).find("unknown fault 'nope'") != std::string::npos);
  s.faults = {};
  s.mean_interval_s = 0;
  CAF_CHECK(!check_schedule(s, kinds).empty());
  s.mean_interval_s = 10;
  s.min_duration_s = 50;
  s.max_duration_s = 40;
  CAF_CHECK(!check_schedule(s, kinds).empty());
  auto parsed = schedule_from_json(nlohmann::json::parse(R"({"on": true, "seed": 7})"), {});
  CAF_CHECK(parsed.on);
  CAF_CHECK_EQUAL(parsed.seed, 7u);
  bool refused = false;
  try {
    schedule_from_json(nlohmann::json::parse(R"({"of": true})"), {});
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  CAF_CHECK(refused);
}

CAF_TEST(the targets config is validated) {
  auto dir = test::make_temp_dir("vigil-chaos-cfg");
  auto file = dir + "/targets.json";
  test::write_file(file, R"({"sandbox": true, "shopd": {"data_dir": "data"},
                             "target_db": {"port": 6000}})");
  auto cfg = load_target_config(file);
  CAF_CHECK(cfg.sandbox);
  CAF_CHECK_EQUAL(cfg.shopd.data_dir, dir + "/data");
  CAF_CHECK_EQUAL(cfg.target_db.port, 6000u);
  auto error_for = [&](const std::string& text) {
    test::write_file(file, text);
    try {
      load_target_config(file);
      return std::string{};
    } catch (const config_error& e) {
      return std::string{e.what()};
    }
  };
  CAF_CHECK(error_for(R"({"sandbox": "yes"})").find("field 'sandbox'") != std::string::npos);
  CAF_CHECK(error_for(R"({"shopd": {"dta_dir": "x"}})").find("shopd.dta_dir") != std::string::npos);
  CAF_CHECK(error_for(R"({"max_concurrent": 0})").find("max_concurrent") != std::string::npos);
  CAF_CHECK(error_for(R"({"api": {"listen": "nohost"}})").find("api.listen") != std::string::npos);
  CAF_CHECK(error_for("{").find("not valid JSON") != std::string::npos);
}
