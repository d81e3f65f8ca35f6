// What the chaos node may break and how to reach it: the target stack's
// parts, the guards (sandbox, maximum at once) and the chaos API.
#pragma once

#include <cstdint>
#include <string>

namespace vigil::chaos {

struct target_config {
  bool sandbox = false;          ///< Chaos refuses everything unless true.
  uint32_t max_concurrent = 3;   ///< Faults active at once.
  std::string api_listen = "127.0.0.1:8100";
  std::string api_token_file;    ///< Bearer token of the /break API.
  std::string log_file;          ///< The chaos log as JSON lines.
  /// The ops store (its chaos_log table), over its unix socket; no socket
  /// folder: none.
  struct {
    std::string socket_dir;
    uint16_t port = 5434;
    std::string dbname = "vigil";
    std::string user = "postgres";
  } ops_store;
  struct {
    std::string pgcluster;       ///< stack/postgres/pgcluster
    std::string cluster_dir;     ///< The target DB's cluster folder.
    uint16_t port = 5433;
    std::string dbname = "shop";
    std::string app_role = "shop";
  } target_db;
  std::string dbproxy_control;   ///< e.g. http://127.0.0.1:5436
  struct {
    std::string service = "shopd";
    std::string public_url;      ///< e.g. http://127.0.0.1:8080
    std::string admin_url;       ///< e.g. http://127.0.0.1:8081
    std::string admin_token_file;
    std::string config_file;
    std::string data_dir;        ///< Its size-limited data volume.
    uint32_t max_fill_mb = 512;  ///< disk_full refuses larger volumes.
  } shopd;
  struct {
    std::string service = "pricingd-primary";
    std::string admin_url;
    std::string admin_token_file;
  } pricing;
  /// Node id of the action node whose service manager runs the stack; empty:
  /// the first node with the action role.
  std::string services_node;
  /// Where processes run by another supervisor (the drill's supervisord
  /// baseline) leave "<service>.pid": used when the service manager says a
  /// service is not running. Empty: none.
  std::string external_pid_dir;

  /// A superuser connection string over the cluster's unix socket.
  std::string superuser_dsn() const;
  /// The ops store's connection string, or "" when none is configured.
  std::string ops_store_dsn() const;
};

/// Loads and validates a target file; relative paths resolve against its
/// folder. Throws vigil::config_error naming the file and the field.
target_config load_target_config(const std::string& path);

} // namespace vigil::chaos
