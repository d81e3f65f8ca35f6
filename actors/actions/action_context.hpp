// What the action role's actors share: their node, the actions file, the ops
// store, and where to find other actors by name.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/actions_config.hpp"
#include "messages/registry.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::actions {

struct action_context {
  std::string node_id;
  std::shared_ptr<const actions_config> config;
  /// The ops store: audit log and idempotency records; empty: none (every
  /// request is then refused with store_unavailable).
  std::string ops_dsn;
  /// "<node>/action/plane", "<node>/action/tools/<tool>", "<node>/action/services".
  std::shared_ptr<supervision::name_directory> directory;
  /// The cluster registry: other nodes' admins and actors.
  std::function<registry_actor()> registry;

  /// "<node>/" + suffix.
  std::string path(const std::string& suffix) const { return node_id + "/" + suffix; }
};

} // namespace vigil::actions
