// The demo shop for tests: a private Postgres, two pricingd upstreams, the
// config and secrets in a temp folder, `shopd migrate` run once and a
// running `shopd serve`, plus helpers to call its APIs.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "tests/stack/pricing_process.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

namespace vigil::test {

class shop_env {
public:
  shop_env();
  ~shop_env();

  /// The catalog the env migrates: apple (120) and pear (90).
  static const std::map<std::string, int64_t>& list_prices();

  test_postgres pg;
  std::string dir;             ///< Config, secrets, data and logs.
  pricing_process primary;     ///< A real pricingd named "primary".
  pricing_process fallback;    ///< A real pricingd named "fallback".
  std::string admin_token;
  uint16_t port = 0;
  uint16_t admin_port = 0;
  nlohmann::json config;       ///< As written to config_path.
  std::string config_path;
  command_result first_migration;
  child_process shopd;

  std::string receipts_dir() const { return dir + "/data/receipts"; }
  std::string log_path() const { return dir + "/shopd.log"; }

  /// Runs the shopd binary with `args` to completion.
  static command_result run_shopd(const std::vector<std::string>& args);

  /// Writes `cfg` to `path` (JSON).
  static void write_config(const std::string& path, const nlohmann::json& cfg);

  /// Calls the public API; `path` starts with '/'.
  http::client_response call(const std::string& method, const std::string& path,
                             const std::string& body = "");
  /// Calls the admin API with the admin token (or `token` when given).
  http::client_response admin(const std::string& method, const std::string& path,
                              const std::string& body = "", const std::string* token = nullptr);

  /// Waits until GET `path` answers `status`; returns whether it did.
  bool wait_for_status(const std::string& path, int status,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));
};

/// The one env shared by the tests of this executable (starting Postgres
/// takes seconds); tests restore whatever they change.
shop_env& shared_shop_env();

} // namespace vigil::test
