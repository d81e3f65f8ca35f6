// The event bus on the control node ("<node>/control/bus"): topic-prefix
// pub/sub, a ring of recent events for queries, and the ops store writer.
#pragma once

#include <cstddef>
#include <string>

#include "config/node_config.hpp"
#include "messages/observability.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::bus {

struct bus_config {
  std::string node_id;
  /// Empty dsn: no ops store, events live in the ring only.
  ops_store_config ops_store;
  size_t ring_size = 10000;   ///< Recent events kept in memory.
};

/// Spawns the bus (and its writer when the config has an ops store).
event_bus_actor spawn_event_bus(caf::actor_system& sys, bus_config config);

/// A child spec "bus"; its shutdown leaves time for the writer to spool.
supervision::child_spec event_bus_child(bus_config config);

} // namespace vigil::bus
