// What every agent of the control node gets: its node, the agents file, the
// ops store, and where to find the other actors by name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/agents_config.hpp"
#include "messages/registry.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::agents {

struct agents_context {
  std::string node_id;
  agents_config config;
  /// The ops store (incidents, approvals, postmortems); empty: none.
  std::string ops_dsn;
  /// "<node>/control/bus", "<node>/control/status", "<node>/control/knowledge",
  /// "<node>/control/incidents", "<node>/control/agents/<agent>", "<node>/events".
  std::shared_ptr<supervision::name_directory> directory;
  /// The cluster registry: other nodes' actors ("<action node>/action/plane").
  std::function<registry_actor()> registry;
  /// The node config's knowledge folders (resolved): the runbooks diagnosis
  /// scores and the planner turns into steps.
  std::vector<std::string> knowledge_folders;

  /// "<node>/" + suffix.
  std::string path(const std::string& suffix) const { return node_id + "/" + suffix; }
};

} // namespace vigil::agents
