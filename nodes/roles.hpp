// One supervision subtree per role: control (registry, bus, status, knowledge),
// action (service manager), probe (probes, traffic), chaos (faults, controller, API).
#pragma once

#include "nodes/node_context.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/supervisor_spec.hpp"

namespace vigil {

/// How a node's supervisors restart: backoff from 10 ms to 2 s, and more
/// than `intensity` restarts within `period` escalate to the parent.
supervision::supervisor_spec node_supervisor_defaults(node_context_ptr ctx, size_t intensity,
                                                      caf::timespan period);

/// The subtree "<node>/<role>" for `role`.
supervision::child_spec role_child(const std::string& role, node_context_ptr ctx);

} // namespace vigil
