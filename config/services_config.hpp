// The stack's services file: which processes the action node's service
// manager runs and how (JSON, comments allowed, validated field by field).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/node_config.hpp"

namespace vigil {

/// One service of the stack. Paths are absolute once loaded.
struct service_config {
  std::string name;                       ///< Unique; names its log file and cgroup.
  std::string command;                    ///< Absolute path of the executable.
  std::vector<std::string> args;          ///< Arguments after the command.
  std::map<std::string, std::string> env; ///< Added to (or replacing in) the node's environment.
  std::string cwd;                        ///< Working folder (default: the services file's folder).
  std::string data_dir;                   ///< Created before start; empty for none.
  uint64_t memory_limit_mb = 0;           ///< 0: no limit.
  std::string ready_url;                  ///< http:// URL answering 200 once ready; empty: ready at once.
  uint32_t ready_timeout_ms = 30000;      ///< A start not ready by then failed.
  uint32_t stop_timeout_ms = 5000;        ///< SIGTERM, then SIGKILL after this long.
  bool autostart = true;                  ///< Started when the service manager starts.
  /// The files its configuration lives in (absolute). The config a start
  /// launched with becomes the last known good one once the service proved
  /// healthy on it (config_history.hpp).
  std::vector<std::string> config_files;
  /// Answers 200 when the service really works (default: ready_url): what
  /// "healthy on this config" means.
  std::string healthy_url;
};

struct services_config {
  std::string backend = "exec";          ///< How processes are run; only "exec" exists yet.
  std::string log_dir;                   ///< <log_dir>/<name>.log, and the manager's state file.
  /// Memory cgroups go to <cgroup root>/<cgroup_parent>/<name>.
  std::string cgroup_parent = "vigil";
  /// A start's config is known good once the service answered its
  /// healthy_url and kept running this long after it.
  uint32_t config_good_after_ms = 5000;
  std::vector<service_config> services;  ///< Start order; stopped in reverse.

  /// The service named `name`, or nullptr.
  const service_config* find(const std::string& name) const;
};

/// Backends a services file may name.
const std::vector<std::string>& known_service_backends();

/// Parses a services file's text; `origin` names it in errors, and relative
/// paths resolve against `base_dir`. Throws config_error.
services_config parse_services_config(const std::string& text, const std::string& origin,
                                      const std::string& base_dir);

/// Reads and parses a services file; relative paths resolve against its folder.
services_config load_services_config(const std::string& path);

} // namespace vigil
