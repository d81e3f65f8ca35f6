#include "chaos/fault_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "chaos/faults/faults.hpp"
#include "messages/unix_time.hpp"

namespace vigil::chaos {

namespace {

struct fault_state {
  static inline const char* name = "vigil.fault";
  std::shared_ptr<const fault_context> ctx;
  fault_ptr impl;
  bool injected = false;
  injection_request last;      // what is injected now, for a restarted controller
  int64_t injected_unix_ms = 0;
};

caf::behavior fault_behavior(caf::stateful_actor<fault_state>* self, std::string kind,
                             std::shared_ptr<const fault_context> ctx) {
  self->state.ctx = ctx;
  for (auto& f : make_catalogue(*ctx))
    if (f->kind().name == kind)
      self->state.impl = std::move(f);
  if (!self->state.impl)
    throw std::runtime_error("no fault kind " + kind);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Leaving on request: undo what is still injected, then go.
    if (self->state.injected) {
      try {
        auto what = self->state.impl->revert(true);
        spdlog::info("chaos: {} reverted on shutdown: {}", self->state.impl->kind().name, what);
      } catch (const std::exception& e) {
        spdlog::error("chaos: {} revert on shutdown failed: {}", self->state.impl->kind().name,
                      e.what());
      }
    }
    self->quit(msg.reason);
  });
  return {
    [self](inject_atom, const injection_request& req) -> caf::result<std::string> {
      auto& impl = *self->state.impl;
      try {
        auto params = validate_params(impl.kind(), req.params_json);
        auto detail = impl.inject(params);
        self->state.injected = true;
        self->state.last = req;
        self->state.injected_unix_ms = now_unix_ms();
        return detail;
      } catch (const std::exception& e) {
        return caf::make_error(chaos_error::inject_failed, e.what());
      }
    },
    // What is injected now (fault empty: nothing), and since when.
    [self](active_atom) {
      auto& st = self->state;
      return std::make_tuple(st.injected ? st.last : injection_request{"", "{}", 0, false, ""},
                             st.injected_unix_ms);
    },
    [self](revert_atom, bool kill_switch) -> caf::result<std::string> {
      try {
        auto detail = self->state.impl->revert(kill_switch);
        self->state.injected = false;
        return detail;
      } catch (const std::exception& e) {
        return caf::make_error(chaos_error::revert_failed, e.what());
      }
    },
  };
}

} // namespace

supervision::child_spec fault_actor_child(std::string kind,
                                          std::shared_ptr<const fault_context> ctx) {
  supervision::child_spec spec;
  spec.id = kind;
  // Reverting on shutdown may take a while (starting a database).
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(60));
  spec.start = [kind, ctx](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn<caf::detached>(fault_behavior, kind, ctx);
  };
  return spec;
}

} // namespace vigil::chaos
