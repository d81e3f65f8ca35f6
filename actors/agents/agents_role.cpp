#include "actors/agents/agents_role.hpp"

#include <chrono>

#include "actors/agents/diagnosis.hpp"
#include "actors/agents/incidents.hpp"
#include "actors/agents/narrator.hpp"
#include "actors/agents/perception.hpp"
#include "actors/agents/planner.hpp"
#include "actors/agents/safety.hpp"
#include "actors/agents/verifier.hpp"
#include "supervision/supervisor_spec.hpp"

namespace vigil::agents {

namespace {

/// THE LIST OF AGENTS: the children of the supervisor "agents", each at
/// "<node>/control/agents/<its id>". Each agent adds its one line here (and
/// nowhere else: the coordinator below finds them by that path).
std::vector<supervision::child_spec> agent_children(const agents_context& ctx) {
  std::vector<supervision::child_spec> result;
  result.push_back(safety_child(ctx));
  result.push_back(verifier_child(ctx));
  result.push_back(narrator_child(narrator_settings_from(ctx)));
  result.push_back(perception_child(ctx));
  result.push_back(diagnosis_child(ctx));
  result.push_back(planner_child(ctx));
  return result;
}

} // namespace

std::vector<supervision::child_spec> agents_children(const agents_context& ctx) {
  using namespace std::chrono;
  supervision::supervisor_spec agents;
  agents.restart_strategy = supervision::strategy::one_for_one;
  agents.intensity = 10;
  agents.period = seconds(30);
  agents.directory = ctx.directory;
  agents.backoff = supervision::backoff_policy{milliseconds(10), seconds(2), 0.2, seconds(30)};
  agents.children = agent_children(ctx);
  std::vector<supervision::child_spec> result;
  // The coordinator first: perception reports to it as soon as it runs, and
  // the coordinator itself retries until the agents it asks are up.
  result.push_back(coordinator_child(ctx));
  result.push_back(supervision::supervisor_child("agents", std::move(agents)));
  return result;
}

} // namespace vigil::agents
