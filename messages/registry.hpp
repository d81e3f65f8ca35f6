// The registry protocol: nodes join the control node's cluster registry,
// register their named actors and send heartbeats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace vigil {

using register_atom = caf::atom_constant<caf::atom("register")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using nodes_atom = caf::atom_constant<caf::atom("nodes")>;
using lookup_atom = caf::atom_constant<caf::atom("lookup")>;

/// One named actor of a node; names are supervision paths ("node/role/actor").
struct actor_entry {
  std::string name;
  caf::strong_actor_ptr handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_entry& x) {
  return f(caf::meta::type_name("vigil::actor_entry"), x.name, x.handle);
}

/// What a node tells the registry when it joins or its actors change.
struct node_registration {
  std::string id;
  std::string host;
  uint16_t port = 0;
  std::vector<std::string> roles;
  int64_t started_unix_ms = 0; ///< Tells a restarted node from the old one.
  std::vector<actor_entry> actors;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_registration& x) {
  return f(caf::meta::type_name("vigil::node_registration"), x.id, x.host,
           x.port, x.roles, x.started_unix_ms, x.actors);
}

/// The registry's view of one node, as shown by `vigilctl nodes`.
struct node_info {
  std::string id;
  std::string host;
  uint16_t port = 0;
  std::vector<std::string> roles;
  std::string status;                ///< "up" or "down".
  std::string status_reason;         ///< Why: joined, rejoined, connection lost, stopped, no heartbeat for N ms...
  int64_t last_heartbeat_unix_ms = 0;
  int64_t status_since_unix_ms = 0;
  std::vector<std::string> actors;   ///< Registered actor names.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(caf::meta::type_name("vigil::node_info"), x.id, x.host, x.port,
           x.roles, x.status, x.status_reason, x.last_heartbeat_unix_ms,
           x.status_since_unix_ms, x.actors);
}

bool operator==(const actor_entry& x, const actor_entry& y);
bool operator==(const node_registration& x, const node_registration& y);
bool operator==(const node_info& x, const node_info& y);

/// The cluster registry on the control node.
using registry_actor = caf::typed_actor<
  /// Join or re-register; replies the registry's own node id.
  caf::replies_to<register_atom, node_registration>::with<std::string>,
  /// Liveness from a node, by id; unknown ids are told to register again.
  caf::replies_to<heartbeat_atom, std::string>::with<bool>,
  caf::replies_to<nodes_atom>::with<std::vector<node_info>>,
  /// Finds a live actor by its registered name.
  caf::replies_to<lookup_atom, std::string>::with<caf::strong_actor_ptr>>;

} // namespace vigil
