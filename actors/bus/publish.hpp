// How any actor publishes an event: send it to its node's relay
// ("<node>/events"), found in the node's name directory. Header-only, so a
// plane can publish without linking the bus.
#pragma once

#include <string>

#include <caf/actor.hpp>

#include "messages/observability.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::bus {

/// The relay's supervision path on node `node_id`.
inline std::string relay_path(const std::string& node_id) {
  return node_id + "/events";
}

/// Sends `e` to the node's relay, which stamps id, source and time when
/// empty. Returns false (and drops `e`) when the relay is not running.
template <class Self>
bool publish(Self* self, const supervision::name_directory& directory,
             const std::string& node_id, event e) {
  auto relay = directory.get(relay_path(node_id));
  if (!relay)
    return false;
  self->send(relay, publish_atom::value, std::move(e));
  return true;
}

} // namespace vigil::bus
