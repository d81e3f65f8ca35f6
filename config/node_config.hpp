// A node's configuration: JSON (comments allowed), validated field by field,
// with command-line overrides applied on top.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigil {

/// A bad config; the message names the file and the field.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// "host:port" of another node.
struct endpoint {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

/// Vigil's own Postgres: events, samples, knowledge (later incidents, audit).
struct ops_store_config {
  /// libpq connection string built from socket_dir or host, port, dbname and
  /// user; empty when the node has no ops store.
  std::string dsn;
  /// Where the writer spools while the ops store is away (resolved).
  std::string spool_dir;
  uint32_t retain_events_hours = 168;  ///< One week of events.
  uint32_t retain_samples_hours = 48;  ///< Two days of metric samples.
};

struct node_config {
  std::string id;                        ///< Unique node name, e.g. "control-1".
  std::string host = "127.0.0.1";        ///< Address to listen on and advertise.
  uint16_t port = 4200;                  ///< Port of the node's admin endpoint.
  std::vector<std::string> roles;        ///< control, action, probe, chaos.
  std::vector<endpoint> join;            ///< Control nodes to join.
  uint32_t heartbeat_ms = 200;           ///< How often a node tells it is alive.
  uint32_t down_after_ms = 1200;         ///< Silence after which it is down.
  std::string log_level = "info";        ///< trace, debug, info, warn, error, off.
  /// The services file the action role's service manager runs (empty: none),
  /// resolved against the node config file's folder.
  std::string stack;
  /// The chaos targets file the chaos role works from (empty: the chaos
  /// role stays an empty shell), resolved against the node config's folder.
  std::string chaos;
  /// Where this node serves Prometheus' /metrics ("HOST:PORT"); empty: nowhere.
  std::string metrics_listen;
  /// The probes file the probe role runs (empty: no probes), resolved
  /// against the node config's folder.
  std::string probes;
  /// The control role's ops store (empty dsn: none; events stay in memory).
  ops_store_config ops_store;
  /// The agents file of the control role (policy, approvals, reports,
  /// webhooks; config/agents_config.hpp); empty: no agents. Resolved against
  /// the node config's folder.
  std::string agents;
  /// The actions file of the action role (tools' targets, secrets, REST API;
  /// config/actions_config.hpp); empty: no action plane. Resolved likewise.
  std::string actions;
  /// Folders of runbooks and stack docs the control role's knowledge store
  /// indexes, resolved against the node config's folder.
  std::vector<std::string> knowledge;

  bool has_role(const std::string& role) const;
};

/// The roles a node can have.
const std::vector<std::string>& known_roles();

/// Parses config text and checks each field; `origin` names it in errors.
/// The cross-field rules are validate()'s, after overrides are applied.
node_config parse_node_config(const std::string& text, const std::string& origin);

/// Reads and parses a config file.
node_config load_node_config(const std::string& path);

/// "control,probe" ⇒ {"control", "probe"}, checked against known_roles().
std::vector<std::string> parse_roles(const std::string& csv);

/// "host:port" ⇒ endpoint; throws config_error naming `what` on bad input.
endpoint parse_endpoint(const std::string& text, const std::string& what);

/// Checks the cross-field rules (a node without control role must join).
void validate(const node_config& cfg, const std::string& origin);

} // namespace vigil
