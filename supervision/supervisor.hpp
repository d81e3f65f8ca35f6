// An OTP-style supervisor actor: starts children in order, restarts them by
// strategy within a restart intensity, stops them in reverse order.
#pragma once

#include <caf/fwd.hpp>

#include "messages/supervision.hpp"
#include "supervision/supervisor_spec.hpp"

namespace vigil::supervision {

/// Spawns a supervisor for `spec` and starts its children in spec order.
/// The supervisor traps exits: an exit from a non-child with a non-normal
/// reason (its parent shutting it down) stops the children in reverse order
/// and then ends the supervisor with that reason.
supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_spec spec);

} // namespace vigil::supervision
