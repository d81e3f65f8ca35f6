// A real pricingd process for tests, with its mode switched over its admin
// API (ok, error, skew, slow) as operators and drills do.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace vigil::test {

class pricing_process {
public:
  /// Starts `pricingd --name name` on a free port serving `catalog`, with
  /// files in `dir`; waits until it answers /healthz.
  pricing_process(const std::string& name, const std::string& catalog, const std::string& dir);

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// POST /admin/mode with `mode`, e.g. {"mode": "error"}; throws on failure.
  void set_mode(const nlohmann::json& mode);

private:
  std::string token_;
  uint16_t port_ = 0;
  child_process process_;
};

} // namespace vigil::test
