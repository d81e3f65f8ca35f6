#include "nodes/roles.hpp"

#include "nodes/cluster_registry.hpp"
#include "supervision/supervisor.hpp"

namespace vigil {

supervision::child_spec role_child(const std::string& role, node_context_ptr ctx) {
  supervision::supervisor_spec spec;
  spec.restart_strategy = supervision::strategy::one_for_one;
  spec.intensity = 5;
  spec.period = std::chrono::seconds(10);
  spec.directory = ctx->directory;
  spec.backoff = supervision::backoff_policy{std::chrono::milliseconds(10),
                                             std::chrono::seconds(2), 0.2,
                                             std::chrono::seconds(30)};
  if (role == "control")
    spec.children.push_back(cluster_registry_child(ctx));
  return supervision::supervisor_child(role, std::move(spec));
}

} // namespace vigil
