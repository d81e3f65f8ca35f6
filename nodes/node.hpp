// One Vigil node process: a root supervisor with its role subtrees, the admin
// endpoint and the cluster membership, run until stopped.
#pragma once

#include "config/node_config.hpp"
#include "nodes/node_context.hpp"
#include "supervision/supervisor_spec.hpp"

namespace vigil {

/// The root supervisor of a node: role subtrees first (the registry must
/// exist before anyone registers), then the admin endpoint, then membership.
supervision::supervisor_spec node_root_spec(node_context_ptr ctx);

/// Runs a node until SIGINT/SIGTERM or `vigilctl stop`; returns the exit code.
int run_node(const node_config& cfg);

} // namespace vigil
