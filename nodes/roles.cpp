#include "nodes/roles.hpp"

#include "actors/services/service_manager.hpp"
#include "chaos/chaos_role.hpp"
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
  if (role == "control")
    spec.children.push_back(cluster_registry_child(ctx));
  // The stack's processes belong to the action node ("<node>/action/services").
  if (role == "action" && !ctx->config.stack.empty())
    spec.children.push_back(services::service_manager_child(ctx->config.stack));
  // Faults, controller and /break API ("<node>/chaos/controller", ...).
  if (role == "chaos" && !ctx->config.chaos.empty()) {
    chaos::chaos_role_context rc{ctx->config.id, ctx->config.chaos, ctx->directory,
                                 [ctx] { return ctx->registry(); }};
    if (ctx->config.has_role("control"))
      rc.registry = [ctx] {
        return caf::actor_cast<registry_actor>(ctx->directory->get(ctx->path("control/registry")));
      };
    for (auto& child : chaos::chaos_children(rc))
      spec.children.push_back(std::move(child));
  }
  return supervision::supervisor_child(role, std::move(spec));
}

} // namespace vigil
