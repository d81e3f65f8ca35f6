// Test rig: the chaos subtree (fault actors, controller, HTTP API) in this
// process against real targets, driven over its real HTTP API.
#pragma once

#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <nlohmann/json.hpp>

#include "chaos/fault_context.hpp"
#include "http/client.hpp"
#include "messages/supervision.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::test {

struct chaos_rig {
  /// Starts the subtree for `ctx` (its api_listen should use a free port).
  explicit chaos_rig(std::shared_ptr<chaos::fault_context> ctx);
  ~chaos_rig();

  /// Calls the chaos API with the right token unless `token` is given.
  http::client_response call(const std::string& method, const std::string& path,
                             const std::string& body = "",
                             const std::string* token = nullptr);
  nlohmann::json json_call(const std::string& method, const std::string& path,
                           const std::string& body = "");

  std::string token = "test-token-0123456789abcdef";
  std::string dir;
  std::string base_url;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<supervision::name_directory> directory;
  supervisor_actor root;
};

/// A target config for tests: sandbox on, the given API port, a log file in `dir`.
chaos::target_config test_target(const std::string& dir, uint16_t api_port);

} // namespace vigil::test
