// The action plane ("<node>/action/plane", action_plane_actor): the one door
// through which the stack is changed. For every request, whoever sends it
// (agents, vigilctl, the REST API), it checks the tool, the arguments and
// the policy, answers a known idempotency key from its record, writes the
// audit log before and after, and has the tool's own actor run it.
#pragma once

#include "actors/actions/action_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::actions {

/// A child spec "plane". Start it after the "tools" supervisor: on start it
/// reconciles runs the node was killed in the middle of (their "before"
/// audit row has no "after") by running them again.
supervision::child_spec plane_child(action_context ctx);

} // namespace vigil::actions
