// One supervision subtree per role. Roles are mostly empty shells until the
// later planes fill them (probes, agents, action tools, chaos faults).
#pragma once

#include "nodes/node_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil {

/// The subtree "<node>/<role>" for `role`.
supervision::child_spec role_child(const std::string& role, node_context_ptr ctx);

} // namespace vigil
