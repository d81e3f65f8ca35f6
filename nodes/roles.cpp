#include "nodes/roles.hpp"

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
  return supervision::supervisor_child(role, std::move(spec));
}

} // namespace vigil
