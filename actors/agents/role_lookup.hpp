// Finding an actor of another node by role: the cluster registry's first up
// node with that role, then "<node>/<suffix>" looked up there. Header-only,
// used by perception (the service manager) and diagnosis (the probe manager).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/error.hpp>

#include "messages/registry.hpp"

namespace vigil::agents {

/// Calls `found(handle)` with the actor, or `failed(why)`; `Self` is any
/// event-based actor.
template <class Handle, class Self, class Found, class Failed>
void find_by_role(Self* self, registry_actor registry, const std::string& role,
                  const std::string& suffix, Found found, Failed failed) {
  constexpr auto timeout = std::chrono::seconds(2);
  if (!registry) {
    failed(std::string{"no registry"});
    return;
  }
  self->request(registry, timeout, nodes_atom::value)
    .then(
      [self, registry, role, suffix, found, failed](std::vector<node_info>& nodes) {
        for (auto& n : nodes) {
          if (n.status != "up")
            continue;
          bool has = false;
          for (auto& r : n.roles)
            has = has || r == role;
          if (!has)
            continue;
          auto name = n.id + "/" + suffix;
          self->request(registry, timeout, lookup_atom::value, name)
            .then(
              [found, failed, name](caf::strong_actor_ptr& ptr) {
                if (!ptr)
                  failed(name + " is not registered");
                else
                  found(caf::actor_cast<Handle>(ptr));
              },
              [failed, name](caf::error& err) { failed("lookup of " + name + ": " + to_string(err)); });
          return;
        }
        failed("no " + role + " node is up");
      },
      [failed](caf::error& err) { failed("registry: " + to_string(err)); });
}

} // namespace vigil::agents
