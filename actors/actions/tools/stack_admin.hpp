// The stack's admin endpoints as the tools call them: shopd's /admin/...,
// dbproxy's /toxics. Bearer tokens are named secrets of the secret store.
// A service's settings: {"admin_url", "admin_token" (a secret name),
// "public_url", "config_file", "baseline_file"}.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/actions_config.hpp"

namespace vigil::actions {

struct stack_service {
  std::string name;
  std::string admin_url;     ///< "http://127.0.0.1:8081"
  std::string admin_token;   ///< Secret name; empty: no token.
  std::string public_url;    ///< "http://127.0.0.1:8080"
  std::string config_file;   ///< Resolved; empty when the tool needs none.
  std::string baseline_file; ///< Resolved: the shipped config, good when nothing better is known.
};

/// The services a tool may touch: its settings' "services" object, by name.
std::map<std::string, stack_service> stack_services(const actions_config& cfg,
                                                    const std::string& tool);

/// Throws bad_args unless `name` is one of `services`.
const stack_service& pick_service(const std::map<std::string, stack_service>& services,
                                  const std::string& name);

struct admin_reply {
  int status = 0;
  nlohmann::json body;  ///< Parsed, or null when not JSON.
  std::string text;     ///< The raw body.
};

/// One request to `base` + `path` with the service's token; throws
/// tool_failure when it cannot be sent (refused, timeout). Any status returns.
admin_reply admin_request(const actions_config& cfg, const std::string& method,
                          const std::string& base, const std::string& path,
                          const std::string& token_secret,
                          const nlohmann::json& body = nlohmann::json::object(),
                          int timeout_ms = 5000);

/// As admin_request, but throws tool_failure unless the status is 2xx.
nlohmann::json admin_call(const actions_config& cfg, const std::string& method,
                          const std::string& base, const std::string& path,
                          const std::string& token_secret,
                          const nlohmann::json& body = nlohmann::json::object(),
                          int timeout_ms = 5000);

} // namespace vigil::actions
