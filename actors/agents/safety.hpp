// The safety agent ("<node>/control/agents/safety"): the gate before every
// step. The policy decides auto, ask or deny; the moving limits (actions per
// window, restarts per service) refuse a step that would exceed them. A step
// that needs a human gets an approval, kept in the ops store, answered when
// someone decides (vigilctl approve/reject, the drill campaign) or when it
// expires. Every decision names who made it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/agents/agents_context.hpp"
#include "config/policy_config.hpp"
#include "messages/incidents.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

struct safety_settings {
  std::string node_id;
  /// Where the node's event relay is (approval events); may be null.
  std::shared_ptr<supervision::name_directory> directory;
  policy_config policy;
  /// The ops store; empty: approvals live in memory only.
  std::string ops_dsn;
  /// While the ops store cannot be read at start, try again this often.
  caf::timespan reload_every = std::chrono::seconds(5);
};

safety_actor spawn_safety(caf::actor_system& sys, safety_settings settings);

/// The child "safety" of the agents supervisor.
supervision::child_spec safety_child(const agents_context& ctx);

} // namespace vigil::agents
