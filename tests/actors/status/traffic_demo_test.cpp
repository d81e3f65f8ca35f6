// The acceptance test against the real demo (`./run demo --detach`):
// with the synthetic traffic running, several faults are injected through
// the chaos API and reverted (shopd restarted where a fault outlives its
// revert); afterwards every order the shop acknowledged to the traffic is in
// the target DB. Also: `vigilctl status` shows shopd live.
#define CAF_SUITE traffic_demo

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include <caf/test/unit_test.hpp>
#include <caf/test/unit_test_impl.hpp>
#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "tests/support/process.hpp"

using namespace std::chrono_literals;
using namespace vigil;
using namespace vigil::test;
using json = nlohmann::json;

namespace {

const std::string root = VIGIL_SOURCE_DIR;
const std::string ctl = VIGILCTL_BINARY;
const std::string shop = "http://127.0.0.1:8080";
const std::string chaos_api = "http://127.0.0.1:8100";
const std::string acked_file = root + "/var/demo/traffic-acked.txt";

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// The demo, started once for this executable with a fresh acknowledged
/// orders file (this run's ground truth), and stopped at its end.
struct demo {
  bool up = false;
  demo() {
    run_command({root + "/run", "stop"}, 120s);
    std::remove(acked_file.c_str());
    auto r = run_command({root + "/run", "demo", "--detach"}, 900s);
    up = r.exit_code == 0;
    if (!up)
      std::cerr << "./run demo failed:\n" << r.out << r.err << "\n";
  }
  ~demo() { run_command({root + "/run", "stop"}, 120s); }
};

demo& the_demo() {
  static demo d;
  return d;
}

std::string secret(const std::string& name) {
  auto text = read_file(root + "/var/secrets/" + name);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

json chaos(const std::string& method, const std::string& path, const json& body, int& status) {
  auto r = http::fetch(method, chaos_api + path, method == "POST" ? body.dump() : "",
                       {{"Authorization", "Bearer " + secret("chaos-api-token")},
                        {"Content-Type", "application/json"}},
                       150s);
  status = r.status;
  return json::parse(r.body, nullptr, false);
}

json vigilctl(std::vector<std::string> args) {
  args.insert(args.begin(), {ctl, "--json"});
  auto r = run_command(args, 30s);
  return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json{};
}

json traffic() { return vigilctl({"traffic", "--ids"}); }

/// The latest SLI window of shopd, or null.
json latest_window() {
  auto t = traffic();
  if (t.is_object() && t["slis"].is_array())
    for (auto& s : t["slis"])
      if (s.value("service", "") == "shopd")
        return s;
  return nullptr;
}

json shopd_status() {
  auto all = vigilctl({"status"});
  if (all.is_array())
    for (auto& h : all)
      if (h.value("service", "") == "shopd")
        return h;
  return nullptr;
}

bool ready() {
  try {
    return http::fetch("GET", shop + "/readyz", "", {}, 3s).status == 200;
  } catch (const http::client_error&) {
    return false;
  }
}

/// Waits for a traffic window that ended after `since` and satisfies `pred`.
template <class Pred>
bool window_after(int64_t since, Pred pred, std::chrono::milliseconds timeout) {
  return wait_until(
    [&] {
      auto w = latest_window();
      return w.is_object() && w.value("window_end_unix_ms", int64_t{0}) > since && pred(w);
    },
    timeout);
}

std::set<std::string> ids_in_target_db() {
  auto r = run_command({root + "/stack/postgres/pgcluster", "psql", root + "/var/pg/target", "5433",
                        "-d", "shop", "-Atc", "SELECT id FROM orders"},
                       60s);
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  std::set<std::string> ids;
  size_t start = 0;
  while (start < r.out.size()) {
    auto nl = r.out.find('\n', start);
    if (nl == std::string::npos)
      nl = r.out.size();
    if (nl > start)
      ids.insert(r.out.substr(start, nl - start));
    start = nl + 1;
  }
  return ids;
}

struct fault_case {
  std::string name;
  json body;
  bool reverted;   ///< false: the fault outlives its revert (crash)
  bool fails_requests; ///< the traffic sees failures (else: slow requests)
};

} // namespace

CAF_TEST(the traffic runs and vigilctl status shows shopd live) {
  CAF_REQUIRE(the_demo().up);
  CAF_CHECK(wait_until([] { return traffic().value("acked_orders", 0) > 0; }, 60s));
  CAF_CHECK(wait_until(
    [] {
      auto h = shopd_status();
      return h.is_object() && h.value("health", "") == "ok" && h["sli"].is_object()
             && h["sli"].value("requests", 0) > 0;
    },
    60s));
  auto text = run_command({ctl, "status"}, 30s);
  CAF_CHECK_EQUAL(text.exit_code, 0);
  CAF_CHECK(text.out.find("shopd") != std::string::npos);
  CAF_CHECK(text.out.find("SUCCESS") != std::string::npos);
}

CAF_TEST(every acknowledged order is in the target DB after a run with faults) {
  CAF_REQUIRE(the_demo().up);
  CAF_REQUIRE(wait_until([] { return traffic().value("acked_orders", 0) > 0; }, 60s));
  auto acked_before = traffic().value("acked_orders", 0);
  std::vector<fault_case> faults{
    {"crash", json::object(), false, true},
    {"db_down", json::object(), true, true},
    {"lock", json::object(), true, true},
    {"latency", {{"params", {{"delay_ms", 700}, {"jitter_ms", 0}}}}, true, false},
    {"conn_exhaust", json::object(), true, false},
    {"disk_full", json::object(), true, true},
  };
  for (auto& f : faults) {
    CAF_MESSAGE("fault " << f.name);
    auto injected_at = now_ms();
    int status = 0;
    auto active = chaos("POST", "/break/" + f.name, f.body, status);
    CAF_REQUIRE_EQUAL(status, 201);
    // The traffic feels it: failures, or (latency) slow requests; a fault
    // that may not reach the shop's pooled connections just gets a window.
    CAF_CHECK(window_after(
      injected_at,
      [&](const json& w) {
        if (f.name == "conn_exhaust")
          return true;
        return f.fails_requests ? w.value("failures", 0) > 0 : w.value("p99_ms", 0.0) >= 500;
      },
      60s));
    if (f.reverted) {
      chaos("DELETE", "/chaos/active/" + active.value("id", ""), json::object(), status);
      CAF_CHECK_EQUAL(status, 200);
    }
    if (!wait_until(ready, 15s)) {
      auto r = run_command({ctl, "service", "restart", "shopd"}, 60s);
      CAF_CHECK_EQUAL(r.exit_code, 0);
      CAF_CHECK(wait_until(ready, 30s));
    }
  }
  // Healthy again: a full window without failures.
  auto healed_at = now_ms();
  CAF_CHECK(window_after(
    healed_at,
    [](const json& w) { return w.value("requests", 0) > 0 && w.value("failures", 1) == 0; },
    60s));
  // The file and the actor's memory hold the same truth. The traffic goes
  // on and writes the file before it tells the actor, so: the file read
  // now holds everything the actor knew a moment ago, and the actor catches
  // up with everything the file holds now.
  auto acked_ids = [] {
    auto ids = traffic().value("acked_ids", std::vector<std::string>{});
    return std::set<std::string>(ids.begin(), ids.end());
  };
  auto acked_set = acked_ids();
  CAF_CHECK_GREATER(acked_set.size(), static_cast<size_t>(acked_before));
  std::set<std::string> in_file;
  auto text = read_file(acked_file);
  for (size_t start = 0; start < text.size();) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos)
      break;
    in_file.insert(text.substr(start, nl - start));
    start = nl + 1;
  }
  auto contains_all = [](const std::set<std::string>& big, const std::set<std::string>& small) {
    return std::includes(big.begin(), big.end(), small.begin(), small.end());
  };
  CAF_CHECK(contains_all(in_file, acked_set));
  CAF_CHECK(wait_until([&] { return contains_all(acked_ids(), in_file); }, 30s));
  auto in_db = ids_in_target_db();
  std::vector<std::string> lost;
  for (auto& id : in_file)
    if (in_db.count(id) == 0)
      lost.push_back(id);
  CAF_MESSAGE(in_file.size() << " acknowledged orders, " << lost.size() << " not in the DB");
  CAF_CHECK_EQUAL(lost, std::vector<std::string>{});
}
