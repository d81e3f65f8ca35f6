// The agents file of the control role (JSON, comments allowed): the policy
// the safety agent applies, the deployment's service model, where reports
// go, the chat webhooks, and each agent's own settings. Paths are relative
// to the file's folder.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/policy_config.hpp"
#include "config/service_model.hpp"

namespace vigil {

/// A chat channel: Slack-compatible incoming webhook (POST {"text": ...}).
struct webhook_config {
  std::string name;
  std::string url;              ///< http://HOST:PORT/PATH.
};

struct agents_config {
  std::string folder;           ///< The file's folder; resolve() is relative to it.
  std::string policy_file;      ///< Resolved.
  policy_config policy;
  std::string model_file;       ///< Resolved; empty: no service model.
  /// The deployment's service model: diagnosis reads its dependency graph.
  service_model model;
  std::string reports_dir;      ///< Briefs and postmortems (resolved).
  std::vector<webhook_config> webhooks;
  /// Settings per agent (perception, diagnosis, planner, safety, verifier,
  /// narrator): a JSON object each agent reads for itself.
  nlohmann::json agents = nlohmann::json::object();

  std::string resolve(const std::string& path) const;
  /// The settings object of `agent` ({} when none).
  const nlohmann::json& settings(const std::string& agent) const;
};

/// Parses agents text; errors (config_error) name `origin` and the field.
agents_config parse_agents_config(const std::string& text, const std::string& origin);
agents_config load_agents_config(const std::string& path);

} // namespace vigil
