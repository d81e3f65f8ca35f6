// The action role's plane: the tools supervisor ("<node>/action/tools/<tool>",
// one detached actor per tool), the plane ("<node>/action/plane") and the
// REST API ("<node>/action/api"). The service manager ("<node>/action/
// services") stays the role's own child, started before these.
#pragma once

#include <vector>

#include "actors/actions/action_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::actions {

/// The children to add to the action role's supervisor, in start order.
std::vector<supervision::child_spec> action_children(const action_context& ctx);

} // namespace vigil::actions
