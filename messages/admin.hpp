// The admin protocol: what vigilctl asks a node, and what nodes ask each other
// on its behalf.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/registry.hpp"
#include "messages/services.hpp"
#include "messages/supervision.hpp"

namespace vigil {

using tree_atom = caf::atom_constant<caf::atom("tree")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using kill_atom = caf::atom_constant<caf::atom("kill")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
/// Asks a node's own admin for its registry handle (how nodes join).
using join_atom = caf::atom_constant<caf::atom("join")>;
/// Node-local: the asked node answers, then SIGKILLs its own process (the
/// chaos plane's node_kill).
using crash_atom = caf::atom_constant<caf::atom("crash")>;
/// Node-local kill: the asked node kills one of its own actors.
using kill_here_atom = caf::atom_constant<caf::atom("kill_here")>;

/// Answer to `ping NODE`.
struct ping_result {
  std::string node;
  int64_t round_trip_us = 0; ///< Measured from the asked node to NODE and back.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ping_result& x) {
  return f(caf::meta::type_name("vigil::ping_result"), x.node,
           x.round_trip_us);
}

/// Answer to `kill ACTOR` and `stop NODE`.
struct admin_ack {
  std::string target;
  std::string node;
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_ack& x) {
  return f(caf::meta::type_name("vigil::admin_ack"), x.target, x.node,
           x.detail);
}

bool operator==(const ping_result& x, const ping_result& y);
bool operator==(const admin_ack& x, const admin_ack& y);

/// Every node publishes one admin actor on its port. Cluster-wide requests
/// take a node id or actor name; the node-local forms answer for this node.
using admin_actor = caf::typed_actor<
  caf::replies_to<nodes_atom>::with<std::vector<node_info>>,
  /// Trees of one node by id, or of every node when the id is empty.
  caf::replies_to<tree_atom, std::string>::with<std::vector<tree_node>>,
  caf::replies_to<ping_atom, std::string>::with<ping_result>,
  caf::replies_to<kill_atom, std::string>::with<admin_ack>,
  caf::replies_to<stop_atom, std::string>::with<admin_ack>,
  /// Node-local: this node's tree; a liveness echo; graceful stop.
  caf::replies_to<tree_atom>::with<tree_node>,
  caf::replies_to<ping_atom>::with<std::string>,
  caf::replies_to<stop_atom>::with<admin_ack>,
  /// Node-local: kills one of this node's actors by name, untrappably.
  caf::replies_to<kill_here_atom, std::string>::with<admin_ack>,
  caf::replies_to<crash_atom>::with<admin_ack>,
  /// Cluster-wide: a live actor by its registered name (via the registry).
  caf::replies_to<lookup_atom, std::string>::with<caf::strong_actor_ptr>,
  /// The registry this node knows (its own when control, else the joined one).
  caf::replies_to<join_atom>::with<registry_actor>,
  /// Cluster: the services of NODE's service manager ("<node>/action/services"),
  /// or of the first up node with the action role when NODE is empty.
  caf::replies_to<svc_list_atom, std::string>::with<std::vector<service_status>>,
  /// Cluster: one service of NODE (or of the action node when empty) by name.
  caf::replies_to<svc_status_atom, std::string, std::string>::with<service_status>,
  caf::replies_to<svc_start_atom, std::string, std::string>::with<service_status>,
  caf::replies_to<svc_stop_atom, std::string, std::string>::with<service_status>,
  caf::replies_to<svc_restart_atom, std::string, std::string>::with<service_status>>;

/// Errors an admin request can end with.
enum class admin_error : uint8_t {
  none = 0,
  unknown_node,
  unknown_actor,
  node_down,
  no_registry,
  /// The actor died and its node has not registered the new one yet.
  actor_restarting,
};

std::string to_string(admin_error x);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::admin_error, "admin")
