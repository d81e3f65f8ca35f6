#include "actors/agents/agents_role.hpp"

namespace vigil::agents {

std::vector<supervision::child_spec> agents_children(const agents_context& ctx) {
  std::vector<supervision::child_spec> result;
  // Each agent adds its child here as it is built.
  static_cast<void>(ctx);
  return result;
}

} // namespace vigil::agents
