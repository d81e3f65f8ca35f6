// The agents of the control node: the incident coordinator
// ("<node>/control/incidents") and the supervisor "agents" with one child per
// agent ("<node>/control/agents/perception", ... /diagnosis, /planner,
// /safety, /verifier, /narrator).
#pragma once

#include <vector>

#include "actors/agents/agents_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

/// The children to add to the control role's supervisor.
std::vector<supervision::child_spec> agents_children(const agents_context& ctx);

} // namespace vigil::agents
