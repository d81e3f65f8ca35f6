#include "actors/probes/probe_actor.hpp"

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/probes/probe.hpp"
#include "messages/unix_time.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;

struct probe_state {
  static inline const char* name = "vigil.probe";
  std::shared_ptr<probe> impl;
  manager_lookup manager;
};

probe_result run_check(probe& p) {
  auto& cfg = p.config();
  probe_result r;
  r.probe = cfg.name;
  r.kind = cfg.kind;
  r.target = cfg.target;
  auto t0 = clock_type::now();
  try {
    p.check(r);
  } catch (const std::exception& e) {
    // A probe's bug must not look like a healthy target.
    set_down(r, std::string{"probe failed: "} + e.what());
  }
  if (r.status.empty())
    r.status = "ok";
  r.latency_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  r.at_unix_ms = now_unix_ms();
  return r;
}

caf::behavior probe_behavior(caf::stateful_actor<probe_state>* self,
                             std::shared_ptr<probe> impl, manager_lookup manager) {
  self->state.impl = std::move(impl);
  self->state.manager = std::move(manager);
  self->send(self, probe_tick_atom::value);
  return {
    [self](probe_tick_atom) {
      auto& p = *self->state.impl;
      auto interval = std::chrono::milliseconds{p.config().interval_ms};
      auto started = clock_type::now();
      auto result = run_check(p);
      if (auto m = self->state.manager()) {
        if (p.config().kind == "metrics" && result.status != "down")
          self->send(m, report_atom::value, p.config().service, p.samples());
        self->send(m, report_atom::value, std::move(result));
      }
      auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now()
                                                                          - started);
      auto left = std::max(interval - spent, std::chrono::milliseconds{0});
      if (p.watches()) {
        // This thread is the probe's own: waiting here delays nobody else.
        p.wait_for_change(left);
        self->send(self, probe_tick_atom::value);
      } else {
        self->delayed_send(self, left, probe_tick_atom::value);
      }
    },
    [self](probe_now_atom) {
      // Out of turn, for whoever asked; the manager keeps it as the latest.
      auto result = run_check(*self->state.impl);
      if (auto m = self->state.manager())
        self->send(m, report_atom::value, result);
      return result;
    },
  };
}

caf::actor spawn_with(caf::actor_system& sys, const probe_config& cfg, manager_lookup manager) {
  std::shared_ptr<probe> impl = make_probe(cfg);
  return sys.spawn<caf::detached>(probe_behavior, std::move(impl), std::move(manager));
}

} // namespace

supervision::child_spec probe_actor_child(probe_config cfg, manager_lookup manager) {
  supervision::child_spec spec;
  spec.id = cfg.name;
  // A check in progress ends within its timeout; a watching probe within
  // its interval.
  spec.shutdown = supervision::shutdown_policy::after(
    std::chrono::milliseconds{std::max(cfg.timeout_ms, cfg.interval_ms) + 1000});
  spec.start = [cfg, manager](caf::local_actor* sup, const std::string&) {
    return spawn_with(sup->home_system(), cfg, manager);
  };
  return spec;
}

caf::actor spawn_probe_actor(caf::actor_system& sys, probe_config cfg, manager_lookup manager) {
  return spawn_with(sys, cfg, std::move(manager));
}

} // namespace vigil::probes
