// Field-wise equality of wire types, so tests can check a round trip is intact.
#include "messages/admin.hpp"
#include "messages/registry.hpp"
#include "messages/supervision.hpp"

namespace vigil {

bool operator==(const tree_node& x, const tree_node& y) {
  return x.path == y.path && x.kind == y.kind && x.strategy == y.strategy
         && x.restart == y.restart && x.status == y.status
         && x.restarts == y.restarts && x.last_exit_reason == y.last_exit_reason
         && x.last_exit_unix_ms == y.last_exit_unix_ms
         && x.children == y.children;
}

bool operator==(const actor_entry& x, const actor_entry& y) {
  return x.name == y.name && x.handle == y.handle;
}

bool operator==(const node_registration& x, const node_registration& y) {
  return x.id == y.id && x.host == y.host && x.port == y.port
         && x.roles == y.roles && x.started_unix_ms == y.started_unix_ms
         && x.actors == y.actors;
}

bool operator==(const node_info& x, const node_info& y) {
  return x.id == y.id && x.host == y.host && x.port == y.port
         && x.roles == y.roles && x.status == y.status
         && x.status_reason == y.status_reason
         && x.last_heartbeat_unix_ms == y.last_heartbeat_unix_ms
         && x.status_since_unix_ms == y.status_since_unix_ms
         && x.actors == y.actors;
}

bool operator==(const ping_result& x, const ping_result& y) {
  return x.node == y.node && x.round_trip_us == y.round_trip_us;
}

bool operator==(const admin_ack& x, const admin_ack& y) {
  return x.target == y.target && x.node == y.node && x.detail == y.detail;
}

} // namespace vigil
