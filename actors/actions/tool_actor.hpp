// One supervised actor per tool ("<node>/action/tools/<name>"). It runs
// detached (a thread of its own) because runs block: processes, SQL, HTTP.
#pragma once

#include <string>

#include "actors/actions/action_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::actions {

/// Private protocol between the plane and a tool actor:
/// (act_atom, action_request) -> action_result, where the request's args are
/// already validated (defaults filled in). A run that throws answers status
/// "failed" with the exception's message; the actor stays up.

/// A child spec "<name>" whose actor runs the tool `name` of make_toolbox().
supervision::child_spec tool_actor_child(std::string name, action_context ctx);

} // namespace vigil::actions
