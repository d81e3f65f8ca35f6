// http: one GET per check; down when there is no answer or an unexpected
// status, degraded when slow or the body does not say what it should.
#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "actors/probes/detail/http_get.hpp"
#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

class http_probe : public probe {
public:
  explicit http_probe(const probe_config& cfg)
    : probe(cfg), get_(cfg.url, cfg.keep_alive) {
    // nop
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    auto t0 = std::chrono::steady_clock::now();
    auto answer = get_.fetch(std::chrono::milliseconds{cfg.timeout_ms});
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
    r.values["response_ms"] = ms;
    if (!answer.ok) {
      r.values["up"] = 0;
      set_down(r, cfg.url + ": " + answer.error);
      return;
    }
    r.values["up"] = 1;
    r.values["status_code"] = answer.status;
    r.values["body_bytes"] = static_cast<double>(answer.body.size());
    auto& expected = cfg.expect_status;
    if (std::find(expected.begin(), expected.end(), answer.status) == expected.end()) {
      set_down(r, "HTTP " + std::to_string(answer.status) + " from " + cfg.url + body_hint(answer));
      return;
    }
    if (!cfg.body_contains.empty() && answer.body.find(cfg.body_contains) == std::string::npos)
      set_degraded(r, cfg.url + ": body lacks '" + cfg.body_contains + "'");
    if (!cfg.json_pointer.empty())
      check_json(r, answer.body);
    if (cfg.slow_ms > 0 && ms > cfg.slow_ms)
      set_degraded(r, "slow: " + ms_text(ms) + " ms > " + std::to_string(cfg.slow_ms) + " ms from "
                        + cfg.url);
    set_ok(r, "HTTP " + std::to_string(answer.status) + " in " + ms_text(ms) + " ms");
  }

private:
  static std::string body_hint(const detail::http_answer& a) {
    if (a.body.empty())
      return "";
    auto text = a.body.substr(0, 160);
    std::replace(text.begin(), text.end(), '\n', ' ');
    return ": " + text;
  }

  void check_json(probe_result& r, const std::string& body) {
    auto& cfg = config();
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded()) {
      set_degraded(r, cfg.url + ": body is not JSON");
      return;
    }
    nlohmann::json::json_pointer ptr{cfg.json_pointer};
    if (!doc.contains(ptr)) {
      set_degraded(r, cfg.url + ": no " + cfg.json_pointer + " in the body");
      return;
    }
    auto& value = doc.at(ptr);
    auto text = value.is_string() ? value.get<std::string>() : value.dump();
    if (!cfg.json_equals.empty() && text != cfg.json_equals)
      set_degraded(r, cfg.url + ": " + cfg.json_pointer + " is " + text + ", expected "
                        + cfg.json_equals);
  }

  detail::http_get get_;
};

} // namespace

probe_ptr make_http_probe(const probe_config& cfg) {
  return std::make_unique<http_probe>(cfg);
}

} // namespace vigil::probes
