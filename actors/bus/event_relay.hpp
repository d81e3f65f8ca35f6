// The event relay on every node ("<node>/events"): the one door for
// publishing. It gives events their id, source and time, and forwards them
// in order to the control node's bus, buffering while the bus is away.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor.hpp>

#include "messages/registry.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::bus {

struct relay_config {
  std::string node_id;
  /// The node process's start: with a sequence number it makes event ids
  /// unique across node restarts ("<node>@<start ms>:<seq>").
  int64_t started_unix_ms = 0;
  /// On a control node: finds its own bus (invalid while it is not running).
  std::function<caf::actor()> local_bus;
  /// Elsewhere: the registry this node joined (invalid before it joined);
  /// the bus is "<first control node up>/control/bus" there.
  std::function<registry_actor()> registry;
  size_t buffer_limit = 10000;  ///< Events kept while the bus is away; then drop-oldest.
  std::chrono::milliseconds resolve_every{500};
};

/// Spawns a relay (tests; nodes use relay_child()).
caf::actor spawn_event_relay(caf::actor_system& sys, relay_config config);

/// A child spec "events" for the node's root supervisor.
supervision::child_spec relay_child(relay_config config);

} // namespace vigil::bus
