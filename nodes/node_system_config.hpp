// The CAF configuration of a node process: networking, wire types, heartbeats.
#pragma once

#include <caf/actor_system_config.hpp>

#include "config/node_config.hpp"

namespace vigil {

class node_system_config : public caf::actor_system_config {
public:
  explicit node_system_config(const node_config& cfg);
};

} // namespace vigil
