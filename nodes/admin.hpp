// The node's admin endpoint: published on the node's port, it answers
// vigilctl and asks other nodes' admins on its behalf.
#pragma once

#include "nodes/node_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil {

/// A child spec that runs the admin actor as "<node>/admin" and publishes it
/// on the node's host and port (again after every restart).
supervision::child_spec admin_child(node_context_ptr ctx);

} // namespace vigil
