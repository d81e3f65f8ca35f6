#include "nodes/roles.hpp"

#include "messages/actor_paths.hpp"
#include "actors/actions/action_role.hpp"
#include "actors/agents/agents_role.hpp"
#include "actors/bus/event_bus.hpp"
#include "actors/knowledge/knowledge_actor.hpp"
#include "actors/probes/probe_role.hpp"
#include "actors/probes/traffic.hpp"
#include "actors/services/service_manager.hpp"
#include "actors/status/status_board.hpp"
#include "chaos/chaos_role.hpp"
#include "config/actions_config.hpp"
#include "config/agents_config.hpp"
#include "config/traffic_config.hpp"
#include "nodes/cluster_registry.hpp"
#include "supervision/supervisor.hpp"

namespace vigil {

supervision::supervisor_spec node_supervisor_defaults(node_context_ptr ctx, size_t intensity,
                                                      caf::timespan period) {
  supervision::supervisor_spec spec;
  spec.restart_strategy = supervision::strategy::one_for_one;
  spec.intensity = intensity;
  spec.period = period;
  spec.directory = ctx->directory;
  spec.backoff = supervision::backoff_policy{std::chrono::milliseconds(10),
                                             std::chrono::seconds(2), 0.2,
                                             std::chrono::seconds(30)};
  return spec;
}

supervision::child_spec role_child(const std::string& role, node_context_ptr ctx) {
  auto spec = node_supervisor_defaults(ctx, 5, std::chrono::seconds(10));
  if (role == "control") {
    spec.children.push_back(cluster_registry_child(ctx));
    // "<node>/control/bus": the event bus and its ops store writer.
    spec.children.push_back(bus::event_bus_child({ctx->config.id, ctx->config.ops_store}));
    // "<node>/control/status": per-service health from the bus.
    status::status_board_context board;
    board.node_id = ctx->config.id;
    board.directory = ctx->directory;
    spec.children.push_back(status::status_board_child(board));
    // "<node>/control/knowledge": runbooks and stack docs, indexed in the ops store.
    if (!ctx->config.knowledge.empty() && !ctx->config.ops_store.dsn.empty())
      spec.children.push_back(knowledge::knowledge_actor_child(
        {ctx->config.knowledge, ctx->config.ops_store.dsn}));
    // "<node>/control/incidents" and "<node>/control/agents/...": the agents.
    if (!ctx->config.agents.empty()) {
      agents::agents_context actx;
      actx.node_id = ctx->config.id;
      actx.config = load_agents_config(ctx->config.agents);
      actx.ops_dsn = ctx->config.ops_store.dsn;
      actx.knowledge_folders = ctx->config.knowledge;
      actx.directory = ctx->directory;
      actx.registry = [ctx] {
        return caf::actor_cast<registry_actor>(ctx->directory->get(ctx->path(actor_paths::registry)));
      };
      for (auto& child : agents::agents_children(actx))
        spec.children.push_back(std::move(child));
    }
  }
  // Probes of the probes file ("<node>/probe/manager", "<node>/probe/probes/<name>").
  if (role == "probe" && !ctx->config.probes.empty()) {
    for (auto& child : probes::probe_children(ctx->config.id, ctx->config.probes, ctx->directory))
      spec.children.push_back(std::move(child));
    // "<node>/probe/traffic": synthetic traffic, when the probes file has "traffic".
    auto traffic = load_traffic_config(ctx->config.probes);
    if (traffic.enabled)
      spec.children.push_back(probes::traffic_child({ctx->config.id, traffic, ctx->directory}));
  }
  // The stack's processes belong to the action node ("<node>/action/services").
  if (role == "action" && !ctx->config.stack.empty())
    spec.children.push_back(services::service_manager_child(ctx->config.stack));
  // The action plane: "<node>/action/tools/<tool>", ".../plane", ".../api".
  if (role == "action" && !ctx->config.actions.empty()) {
    actions::action_context actx;
    actx.node_id = ctx->config.id;
    actx.config = std::make_shared<const actions_config>(load_actions_config(ctx->config.actions));
    actx.ops_dsn = ctx->config.ops_store.dsn;
    actx.directory = ctx->directory;
    actx.registry = [ctx] {
      if (ctx->config.has_role("control"))
        return caf::actor_cast<registry_actor>(ctx->directory->get(ctx->path(actor_paths::registry)));
      return ctx->registry();
    };
    for (auto& child : actions::action_children(actx))
      spec.children.push_back(std::move(child));
  }
  // Faults, controller and /break API ("<node>/chaos/controller", ...).
  if (role == "chaos" && !ctx->config.chaos.empty()) {
    chaos::chaos_role_context rc{ctx->config.id, ctx->config.chaos, ctx->directory,
                                 [ctx] { return ctx->registry(); }};
    if (ctx->config.has_role("control"))
      rc.registry = [ctx] {
        return caf::actor_cast<registry_actor>(ctx->directory->get(ctx->path(actor_paths::registry)));
      };
    for (auto& child : chaos::chaos_children(rc))
      spec.children.push_back(std::move(child));
  }
  return supervision::supervisor_child(role, std::move(spec));
}

} // namespace vigil
