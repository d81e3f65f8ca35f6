// The chaos role's subtree: a supervisor of one actor per fault kind, the
// controller, and the HTTP API, wired to the cluster for process lookups.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "messages/registry.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::chaos {

struct chaos_role_context {
  std::string node_id;
  std::string target_file;  ///< The chaos targets config (see chaos/target_config.hpp).
  std::shared_ptr<supervision::name_directory> directory;
  /// The registry this node joined (or its own on a control node).
  std::function<registry_actor()> registry;
};

/// The children of "<node>/chaos": faults (a supervisor), controller, api.
/// Throws vigil::config_error when the targets file is bad.
std::vector<supervision::child_spec> chaos_children(const chaos_role_context& ctx);

} // namespace vigil::chaos
