#include "chaos/controller.hpp"

#include <chrono>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/bus/publish.hpp"
#include "chaos/event_log.hpp"
#include "chaos/faults/faults.hpp"
#include "chaos/monkey.hpp"
#include "messages/unix_time.hpp"

namespace vigil::chaos {

namespace {

using expire_atom = caf::atom_constant<caf::atom("c_expire")>;
using tick_atom = caf::atom_constant<caf::atom("c_tick")>;

constexpr auto fault_timeout = std::chrono::seconds(120);

struct controller_state {
  static inline const char* name = "vigil.chaos";
  std::shared_ptr<const fault_context> ctx;
  std::shared_ptr<supervision::name_directory> directory;
  std::string faults_path;
  std::vector<fault_kind> kinds;
  std::map<std::string, active_fault> active; // by injection id
  std::set<std::string> pending;              // kinds being injected now
  uint64_t next_id = 1;
  std::unique_ptr<event_log> log;
  chaos_schedule schedule;
  std::unique_ptr<monkey> planner;
  uint64_t schedule_epoch = 0;
};

using controller_ptr = caf::stateful_actor<controller_state>*;

const fault_kind* find_kind(controller_ptr self, const std::string& name) {
  for (auto& k : self->state.kinds)
    if (k.name == name)
      return &k;
  return nullptr;
}

/// The chaos log entry on the event bus, topic "chaos", through the node's relay.
void publish_chaos_event(controller_ptr self, const chaos_event& c) {
  auto& path = self->state.faults_path; // "<node>/chaos/faults"
  event e;
  // No id: the relay's is unique across restarts; a chaos log kept only in
  // memory starts its sequence numbers again.
  e.topic = "chaos";
  e.source = actor_paths::chaos_controller;
  e.at_unix_ms = c.unix_ms;
  auto failed = c.phase.size() > 7 && c.phase.compare(c.phase.size() - 7, 7, "_failed") == 0;
  e.severity = failed ? "error" : c.phase == "inject" ? "warning" : "info";
  e.summary = c.phase + " " + c.fault + (c.label.empty() ? "" : " [" + c.label + "]")
              + (c.detail.empty() ? "" : ": " + c.detail);
  e.payload = event_log::to_json(c).dump(-1, ' ', false,
                                         nlohmann::json::error_handler_t::replace);
  bus::publish(self, *self->state.directory, path.substr(0, path.find('/')), std::move(e));
}

chaos_event log_event(controller_ptr self, const std::string& id, const fault_kind* kind,
                      const injection_request& req, std::string phase, std::string detail) {
  chaos_event e;
  e.injection_id = id;
  e.fault = kind != nullptr ? kind->name : req.fault;
  e.label = kind != nullptr ? kind->label : "";
  e.phase = std::move(phase);
  e.params_json = req.params_json;
  e.requested_by = req.requested_by;
  e.detail = std::move(detail);
  auto logged = self->state.log->append(std::move(e));
  publish_chaos_event(self, logged);
  return logged;
}

/// Refuses with `code`, logging the refusal.
caf::error refuse(controller_ptr self, const fault_kind* kind, const injection_request& req,
                  chaos_error code, const std::string& why) {
  log_event(self, "", kind, req, "refused", why);
  return caf::make_error(code, why);
}

/// Checks every guard; on success `req.params_json` holds the complete,
/// validated parameters.
caf::error guard(controller_ptr self, injection_request& req) {
  auto& st = self->state;
  auto* kind = find_kind(self, req.fault);
  if (kind == nullptr)
    return refuse(self, nullptr, req, chaos_error::unknown_fault,
                  "unknown fault '" + req.fault + "' (GET /chaos/faults lists them)");
  if (!st.ctx->target.sandbox)
    return refuse(self, kind, req, chaos_error::not_sandbox,
                  "the target is not marked as a sandbox in the chaos config");
  try {
    req.params_json = validate_params(*kind, req.params_json).dump();
  } catch (const fault_error& e) {
    return refuse(self, kind, req, chaos_error::bad_params, e.what());
  }
  if (req.duration_s > 86400)
    return refuse(self, kind, req, chaos_error::bad_params, "duration_s must be within 1..86400");
  if (kind->risk == "destructive" && !req.approved)
    return refuse(self, kind, req, chaos_error::needs_approval,
                  req.fault + " is destructive: it needs explicit approval");
  for (auto& [id, a] : st.active)
    if (a.fault == req.fault)
      return refuse(self, kind, req, chaos_error::already_active,
                    req.fault + " is active already (" + id + ")");
  if (st.pending.count(req.fault) > 0)
    return refuse(self, kind, req, chaos_error::already_active, req.fault + " is being injected");
  if (st.active.size() + st.pending.size() >= st.ctx->target.max_concurrent)
    return refuse(self, kind, req, chaos_error::too_many_active,
                  "at most " + std::to_string(st.ctx->target.max_concurrent)
                    + " faults may be active at once");
  return caf::none;
}

caf::actor fault_actor_of(controller_ptr self, const std::string& kind) {
  return self->state.directory->get(self->state.faults_path + "/" + kind);
}

/// Records an injected fault as active, logs it with `phase` and arms its
/// auto-revert for the rest of its duration.
active_fault take_active(controller_ptr self, const injection_request& req,
                         int64_t injected_unix_ms, const std::string& detail,
                         const std::string& phase) {
  auto& st = self->state;
  auto* kind = find_kind(self, req.fault);
  auto duration = req.duration_s > 0 ? req.duration_s : kind->default_duration_s;
  active_fault a;
  a.id = "f-" + std::to_string(st.next_id++);
  a.fault = req.fault;
  a.label = kind->label;
  a.target = kind->target;
  a.params_json = req.params_json;
  a.requested_by = req.requested_by;
  a.injected_unix_ms = injected_unix_ms;
  a.expires_unix_ms = injected_unix_ms + int64_t{duration} * 1000;
  a.detail = detail;
  st.active[a.id] = a;
  log_event(self, a.id, kind, req, phase, detail);
  auto left = std::max<int64_t>(0, a.expires_unix_ms - now_unix_ms());
  self->delayed_send(self, std::chrono::milliseconds(left), expire_atom::value, a.id);
  return a;
}

void inject(controller_ptr self, injection_request req, caf::response_promise rp) {
  if (auto err = guard(self, req)) {
    rp.deliver(err);
    return;
  }
  auto& st = self->state;
  auto* kind = find_kind(self, req.fault);
  auto worker = fault_actor_of(self, req.fault);
  if (!worker) {
    rp.deliver(refuse(self, kind, req, chaos_error::inject_failed,
                      "the " + req.fault + " fault actor is restarting; try again"));
    return;
  }
  st.pending.insert(req.fault);
  self->request(worker, fault_timeout, inject_atom::value, req)
    .then(
      [self, req, rp](const std::string& detail) mutable {
        self->state.pending.erase(req.fault);
        auto a = take_active(self, req, now_unix_ms(), detail, "inject");
        rp.deliver(a);
      },
      [self, req, rp](caf::error& err) mutable {
        self->state.pending.erase(req.fault);
        auto why = self->home_system().render(err);
        log_event(self, "", find_kind(self, req.fault), req, "inject_failed", why);
        rp.deliver(err);
      });
}

/// Reverts one active fault; `done` gets the logged event.
void revert(controller_ptr self, const std::string& id, bool kill_switch,
            std::function<void(chaos_event)> done) {
  auto& st = self->state;
  auto i = st.active.find(id);
  if (i == st.active.end())
    return;
  auto a = i->second;
  st.active.erase(i); // never reverted twice
  injection_request req{a.fault, a.params_json, 0, false, a.requested_by};
  auto* kind = find_kind(self, a.fault);
  auto worker = fault_actor_of(self, a.fault);
  if (!worker) {
    done(log_event(self, id, kind, req, "revert_failed", "fault actor not running"));
    return;
  }
  self->request(worker, fault_timeout, revert_atom::value, kill_switch)
    .then(
      [self, id, kind, req, done](const std::string& detail) {
        done(log_event(self, id, kind, req, "revert", detail));
      },
      [self, id, kind, req, done](caf::error& err) {
        done(log_event(self, id, kind, req, "revert_failed", self->home_system().render(err)));
      });
}

/// After a restart of the controller: the fault actors still hold what they
/// injected, so ask them and take those faults back under control (with
/// their remaining time, reverted by the kill switch like any other).
void recover_active(controller_ptr self) {
  for (auto& kind : self->state.kinds) {
    auto worker = fault_actor_of(self, kind.name);
    if (!worker)
      continue;
    self->request(worker, std::chrono::seconds(5), active_atom::value)
      .then([self](const injection_request& req, int64_t injected_ms) {
        if (req.fault.empty())
          return;
        for (auto& [id, a] : self->state.active)
          if (a.fault == req.fault)
            return;
        take_active(self, req, injected_ms, "recovered after a controller restart", "recovered");
      },
      [](caf::error&) {});
  }
}

void schedule_tick(controller_ptr self) {
  auto& st = self->state;
  if (!st.schedule.on || !st.planner)
    return;
  auto plan = st.planner->next();
  auto delay = std::chrono::milliseconds{static_cast<int64_t>(plan.delay_s * 1000)};
  self->delayed_send(self, delay, tick_atom::value, st.schedule_epoch, plan.request);
}

caf::behavior controller(controller_ptr self, std::shared_ptr<const fault_context> ctx,
                         std::shared_ptr<supervision::name_directory> directory,
                         std::string faults_path) {
  auto& st = self->state;
  st.ctx = ctx;
  st.directory = std::move(directory);
  st.faults_path = std::move(faults_path);
  for (auto& f : make_catalogue(*ctx))
    st.kinds.push_back(f->kind());
  st.log = std::make_unique<event_log>(ctx->target.log_file, ctx->target.ops_store_dsn());
  // Injection ids stay unique across restarts: they start past the log.
  st.next_id = st.log->next_seq();
  recover_active(self);
  return {
    [self](faults_atom) { return self->state.kinds; },
    [self](inject_atom, injection_request& req) {
      auto rp = self->make_response_promise();
      inject(self, std::move(req), rp);
      return rp;
    },
    [self](active_atom) {
      std::vector<active_fault> result;
      for (auto& [id, a] : self->state.active)
        result.push_back(a);
      return result;
    },
    [self](revert_atom, const std::string& id) -> caf::result<chaos_event> {
      if (self->state.active.count(id) == 0)
        return caf::make_error(chaos_error::unknown_injection, id);
      auto rp = self->make_response_promise();
      revert(self, id, true, [rp](chaos_event e) mutable { rp.deliver(std::move(e)); });
      return rp;
    },
    [self](killswitch_atom) {
      auto rp = self->make_response_promise();
      auto& st = self->state;
      // The monkey stops too: a kill switch means "no more chaos now".
      st.schedule.on = false;
      ++st.schedule_epoch;
      std::vector<std::string> ids;
      for (auto& [id, a] : st.active)
        ids.push_back(id);
      if (ids.empty()) {
        rp.deliver(std::vector<chaos_event>{});
        return rp;
      }
      spdlog::warn("chaos: kill switch: reverting {} active faults", ids.size());
      auto events = std::make_shared<std::vector<chaos_event>>();
      auto open = std::make_shared<size_t>(ids.size());
      for (auto& id : ids)
        revert(self, id, true, [rp, events, open](chaos_event e) mutable {
          events->push_back(std::move(e));
          if (--*open == 0)
            rp.deliver(*events);
        });
      return rp;
    },
    [self](schedule_atom, chaos_schedule& s) -> caf::result<chaos_schedule> {
      auto& st = self->state;
      if (auto problem = check_schedule(s, st.kinds); !problem.empty())
        return caf::make_error(chaos_error::bad_params, problem);
      if (s.on && !st.ctx->target.sandbox)
        return caf::make_error(chaos_error::not_sandbox,
                               "the target is not marked as a sandbox in the chaos config");
      st.schedule = s;
      ++st.schedule_epoch;
      st.planner = s.on ? std::make_unique<monkey>(s, st.kinds) : nullptr;
      spdlog::info("chaos: schedule {} (mean interval {} s, seed {})", s.on ? "on" : "off",
                   s.mean_interval_s, s.seed);
      schedule_tick(self);
      return st.schedule;
    },
    [self](schedule_atom) { return self->state.schedule; },
    [self](chaos_log_atom, uint64_t after) { return self->state.log->since(after); },
    [self](expire_atom, const std::string& id) {
      revert(self, id, false, [](chaos_event) {});
    },
    [self](tick_atom, uint64_t epoch, injection_request& req) {
      auto& st = self->state;
      if (epoch != st.schedule_epoch || !st.schedule.on)
        return;
      if (st.active.size() + st.pending.size() >= st.schedule.max_concurrent) {
        // Full: the same planned fault waits for a free slot, so that a seed
        // always gives the same sequence, however long faults take.
        self->delayed_send(self, std::chrono::milliseconds(250), tick_atom::value, epoch,
                           std::move(req));
        return;
      }
      auto rp = caf::response_promise{}; // nobody waits for the monkey
      inject(self, std::move(req), rp);
      schedule_tick(self);
    },
  };
}

} // namespace

supervision::child_spec controller_child(std::shared_ptr<const fault_context> ctx,
                                         std::shared_ptr<supervision::name_directory> directory,
                                         std::string faults_path) {
  supervision::child_spec spec;
  spec.id = "controller";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(5));
  spec.start = [ctx, directory, faults_path](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn(controller, ctx, directory, faults_path);
  };
  return spec;
}

} // namespace vigil::chaos
