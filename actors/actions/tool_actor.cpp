#include "actors/actions/tool_actor.hpp"

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/monitorable_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/actions/tools/tools.hpp"
#include "messages/unix_time.hpp"

namespace vigil::actions {

namespace {

/// Tool actors are registered like every named actor, so anyone could find
/// one: they answer only the plane (a local actor of the plane's kind), so
/// that nothing skips its policy checks and audit log.
bool from_the_plane(const caf::strong_actor_ptr& sender) {
  auto* actor = sender ? dynamic_cast<caf::monitorable_actor*>(sender->get()) : nullptr;
  return actor != nullptr && std::string{actor->name()} == "vigil.action_plane";
}

struct tool_state {
  static inline const char* name = "vigil.tool";
  tool_ptr impl;
  std::unique_ptr<tool_env> env;
};

caf::behavior tool_behavior(caf::stateful_actor<tool_state>* self, std::string name,
                            action_context ctx) {
  for (auto& t : make_toolbox(*ctx.config))
    if (t->info().name == name)
      self->state.impl = std::move(t);
  if (!self->state.impl)
    throw std::runtime_error("no tool named " + name);
  auto directory = ctx.directory;
  auto services_path = ctx.path(actor_paths::services);
  self->state.env.reset(new tool_env{
    *ctx.config, self->home_system(), ctx.node_id,
    [directory, services_path] {
      return caf::actor_cast<service_manager_actor>(directory->get(services_path));
    },
    ctx.registry});
  // The env refers to the config: keep it alive with the actor.
  self->attach_functor([config = ctx.config] {});
  return {
    [self](act_atom, const action_request& req) -> caf::result<action_result> {
      if (!from_the_plane(self->current_sender()))
        return caf::make_error(action_error::not_allowed,
                               "tools run only through the action plane (" + req.tool + ")");
      action_result result;
      result.idempotency_key = req.idempotency_key;
      result.tool = req.tool;
      result.started_unix_ms = now_unix_ms();
      try {
        auto outcome = self->state.impl->run(nlohmann::json::parse(req.args), *self->state.env);
        result.status = outcome.status;
        result.detail = outcome.detail;
        result.output = outcome.output.dump(-1, ' ', false,
                                            nlohmann::json::error_handler_t::replace);
      } catch (const std::exception& e) {
        result.status = "failed";
        result.detail = e.what();
      }
      result.finished_unix_ms = now_unix_ms();
      spdlog::info("actions: {} [{}] {}: {} ({} ms)", req.tool, req.idempotency_key,
                   result.status, result.detail,
                   result.finished_unix_ms - result.started_unix_ms);
      return result;
    },
  };
}

} // namespace

supervision::child_spec tool_actor_child(std::string name, action_context ctx) {
  supervision::child_spec spec;
  spec.id = name;
  // A run in progress is not interrupted lightly (a database starting).
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(30));
  spec.start = [name, ctx](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn<caf::detached>(tool_behavior, name, ctx);
  };
  return spec;
}

} // namespace vigil::actions
