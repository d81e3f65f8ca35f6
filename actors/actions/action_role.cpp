#include "actors/actions/action_role.hpp"

#include "actors/actions/plane.hpp"
#include "actors/actions/rest_api.hpp"
#include "actors/actions/tool_actor.hpp"
#include "actors/actions/tools/tools.hpp"
#include "supervision/supervisor.hpp"

namespace vigil::actions {

std::vector<supervision::child_spec> action_children(const action_context& ctx) {
  supervision::supervisor_spec tools;
  tools.intensity = 10;
  tools.period = std::chrono::seconds(30);
  tools.directory = ctx.directory;
  for (auto& t : make_toolbox(*ctx.config))
    tools.children.push_back(tool_actor_child(t->info().name, ctx));
  // Tools first: the plane reconciles interrupted runs through them at start.
  std::vector<supervision::child_spec> result{supervision::supervisor_child("tools", tools),
                                              plane_child(ctx)};
  if (!ctx.config->api_listen.empty())
    result.push_back(rest_api_child(ctx));
  return result;
}

} // namespace vigil::actions
