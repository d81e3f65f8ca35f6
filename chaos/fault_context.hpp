// What faults use to reach their targets: the target config, the target DB
// as superuser, the stack's admin endpoints, and process lookups.
#pragma once

#include <functional>
#include <string>

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "chaos/target_config.hpp"

namespace vigil::chaos {

struct fault_context {
  target_config target;

  /// The pid of a stack service (asks the action node's service manager);
  /// throws fault_error when it is not running.
  std::function<pid_t(const std::string& service)> locate_service;

  /// Kills a Vigil actor by name, or a Vigil node process by id; throws.
  std::function<std::string(const std::string& actor)> kill_actor;
  std::function<std::string(const std::string& node)> kill_node;

  /// Runs SQL on the target DB as superuser; returns the first column of
  /// the first row ("" if none). Throws fault_error with the DB's message.
  std::string sql(const std::string& statement) const;

  /// POSTs (or other `method`s) JSON to an admin endpoint with the bearer
  /// token read from `token_file`; throws fault_error unless 2xx.
  nlohmann::json admin_call(const std::string& method, const std::string& url,
                            const std::string& token_file,
                            const nlohmann::json& body = nlohmann::json::object()) const;

  /// Runs stack/postgres/pgcluster with `args`; throws with its output.
  void pgcluster(const std::vector<std::string>& args) const;
};

/// The whole file, trimmed; throws fault_error when unreadable.
std::string read_secret(const std::string& path);

} // namespace vigil::chaos
