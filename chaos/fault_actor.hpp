// One supervised actor per fault kind. It runs detached (its own thread),
// because injecting blocks: signals, SQL, HTTP calls, filling a disk.
#pragma once

#include <memory>

#include "chaos/fault.hpp"
#include "chaos/fault_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::chaos {

/// Private protocol between the controller and a fault actor:
/// (inject_atom, injection_request) -> std::string detail
/// (revert_atom, bool kill_switch) -> std::string detail
/// (active_atom) -> (injection_request, int64_t injected_unix_ms); an empty
///   fault name means nothing is injected
/// Errors come back as chaos_error::inject_failed / revert_failed.

/// A child spec "<name>" whose actor holds one fault of `kind` made from
/// `ctx`. On a graceful stop it reverts what it injected.
supervision::child_spec fault_actor_child(std::string kind,
                                          std::shared_ptr<const fault_context> ctx);

} // namespace vigil::chaos
