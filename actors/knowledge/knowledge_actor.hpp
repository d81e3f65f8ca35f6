// The knowledge store's actor on the control node ("<node>/control/knowledge"):
// keeps the ops store's index in step with the knowledge folders and answers
// searches and document look-ups. It runs detached, so its blocking database
// work never holds a thread of the shared scheduler.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "messages/observability.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::knowledge {

struct knowledge_settings {
  std::vector<std::string> folders; ///< Resolved knowledge folders.
  std::string dsn;                  ///< The ops store.
  /// A request rescans the folders when the last sync is older than this,
  /// so an added, edited or deleted file shows without a restart.
  std::chrono::milliseconds rescan_after = std::chrono::seconds(10);
};

/// Spawns the actor; it loads and indexes the folders at once (a store that
/// is down is logged and tried again at the next request).
knowledge_actor spawn_knowledge_actor(caf::actor_system& sys, knowledge_settings settings);

/// The child "knowledge" of the control subtree.
supervision::child_spec knowledge_actor_child(knowledge_settings settings);

} // namespace vigil::knowledge
