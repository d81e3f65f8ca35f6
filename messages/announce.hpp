// Announces every type that crosses a node boundary, under one name on every node.
#pragma once

#include <caf/fwd.hpp>

namespace vigil {

/// Registers all wire types and error categories with `cfg`. Every process
/// that talks to a Vigil node (nodes, vigilctl, tests) calls this once.
void announce_messages(caf::actor_system_config& cfg);

} // namespace vigil
