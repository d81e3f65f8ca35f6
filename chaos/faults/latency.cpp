// latency: the TCP proxy in front of the target DB delays every reply.
#include <algorithm>

#include "chaos/faults/faults.hpp"

#include "http/client.hpp"

namespace vigil::chaos {

namespace {

class latency : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto delay = params["delay_ms"].get<long long>();
    // The proxy keeps jitter within the delay (no negative delays).
    auto jitter = std::min(params["jitter_ms"].get<long long>(), delay);
    call("POST", nlohmann::json{{"delay_ms", delay}, {"jitter_ms", jitter}}.dump());
    return "DB proxy adds " + std::to_string(delay) + " ms ± " + std::to_string(jitter) + " ms";
  }

  std::string revert(bool) override {
    call("DELETE", "");
    return "DB proxy latency removed";
  }

private:
  void call(const std::string& method, const std::string& body) {
    auto url = ctx_.target.dbproxy_control + "/toxics";
    try {
      auto r = http::fetch(method, url, body, {{"Content-Type", "application/json"}},
                           std::chrono::seconds(5));
      if (r.status != 200)
        throw fault_error(method + " " + url + ": HTTP " + std::to_string(r.status) + " " + r.body);
    } catch (const http::client_error& e) {
      throw fault_error(method + " " + url + ": " + e.what());
    }
  }
};

} // namespace

fault_ptr make_latency(const fault_context& ctx) {
  return std::make_unique<latency>(
    make_kind("latency", "db_latency", "safe", "target-db",
              "The TCP proxy in front of the target DB delays each reply (Toxiproxy-style).",
              "Removes the delay.", false, 60,
              {int_param("delay_ms", 1, 30000, 500, "added delay"),
               int_param("jitter_ms", 0, 30000, 100, "random ± jitter")},
              {{"reset_db_proxy", ""}, {"restart_service", "dbproxy"}}),
    ctx);
}

} // namespace vigil::chaos
