// The actions file of the action role (JSON, comments allowed): the policy
// the plane enforces, its REST API, where secrets and the tools' own state
// live, and each tool's settings (how to reach its target). Paths are
// relative to the file's folder.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/policy_config.hpp"

namespace vigil {

struct actions_config {
  std::string folder;            ///< The file's folder; resolve() is relative to it.
  std::string policy_file;       ///< Resolved.
  policy_config policy;          ///< Loaded from policy_file.
  /// The REST API: "HOST:PORT" to listen on (empty: no API), the bearer
  /// token's file, and the per-client rate limit (token bucket).
  std::string api_listen;
  std::string api_token_file;
  double api_rate_per_s = 5;
  uint32_t api_burst = 10;
  /// The secret store: one file per secret, named by the secret's name.
  /// Secret values never leave the action node; requests name them.
  std::string secrets_dir;
  /// The tools' own state: snapshots, last known good configs (resolved).
  std::string state_dir;
  /// Settings per tool name: a JSON object each tool reads for itself.
  nlohmann::json tools = nlohmann::json::object();

  /// `path` against folder (absolute paths stay).
  std::string resolve(const std::string& path) const;
  /// The settings object of `tool` ({} when none).
  const nlohmann::json& settings(const std::string& tool) const;
};

/// Parses actions text; errors (config_error) name `origin` and the field.
actions_config parse_actions_config(const std::string& text, const std::string& origin);
actions_config load_actions_config(const std::string& path);

} // namespace vigil
