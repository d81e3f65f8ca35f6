// A node's membership in the cluster: joins a control node, registers its
// named actors, sends heartbeats, and joins again after either side restarts.
#pragma once

#include "nodes/node_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil {

/// A child spec that runs the membership actor as "<node>/membership".
supervision::child_spec membership_child(node_context_ptr ctx);

} // namespace vigil
