// The cluster registry on control nodes: which nodes exist, their roles,
// their named actors, and whether they are up (heartbeats and lost links).
#pragma once

#include <caf/fwd.hpp>

#include "nodes/node_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil {

/// A child spec that runs the registry as "<node>/control/registry".
supervision::child_spec cluster_registry_child(node_context_ptr ctx);

} // namespace vigil
