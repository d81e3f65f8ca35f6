#include "actors/actions/plane.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/actions/audit_log.hpp"
#include "actors/actions/tools/tools.hpp"
#include "actors/policy/policy_guard.hpp"
#include "messages/unix_time.hpp"

namespace vigil::actions {

namespace {

using json = nlohmann::json;

/// Runs the interrupted requests again once the store answers (private).
using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;

/// Long enough for the slowest tool (a restore, a database start).
constexpr auto run_timeout = std::chrono::minutes(10);
constexpr auto reconcile_retry = std::chrono::seconds(5);
constexpr uint32_t max_audit_rows = 1000;

/// One key being run now and everyone waiting for its result.
struct run_in_progress {
  action_request request;
  std::vector<caf::typed_response_promise<action_result>> waiters;
};

struct plane_state {
  /// Tool actors check it: they answer only the plane (tool_actor.cpp).
  static inline const char* name = "vigil.action_plane";
  action_context ctx;
  std::vector<tool_ptr> tools;  ///< For info() and validate() (both pure).
  std::unique_ptr<policy::guard> guard;
  std::unique_ptr<audit_log> log;
  std::map<std::string, run_in_progress> running;
  /// Results the store did not take (it went away mid-run): answered from
  /// here and written as soon as it is back.
  std::map<std::string, std::pair<action_request, action_result>> unsaved;

  const tool* find(const std::string& name) const {
    for (auto& t : tools)
      if (t->info().name == name)
        return t.get();
    return nullptr;
  }

  std::string known_tools() const {
    std::string names;
    for (auto& t : tools)
      names += (names.empty() ? "" : ", ") + t->info().name;
    return names;
  }

  /// Writes what the store missed; throws store_unavailable when it still can't.
  void flush_unsaved() {
    for (auto i = unsaved.begin(); i != unsaved.end();) {
      log->after(i->second.first, i->second.second);
      spdlog::info("actions: wrote the delayed result of {}", i->first);
      i = unsaved.erase(i);
    }
  }
};

using plane_actor = caf::stateful_actor<plane_state>;

/// Refuses a request: one "refused" row (when the store takes it), nothing else.
caf::error refuse(plane_actor* self, const action_request& req, action_error code,
                  const std::string& why) {
  spdlog::warn("actions: refused {} [{}] from {}: {}: {}", req.tool, req.idempotency_key,
               req.requested_by, to_string(code), why);
  try {
    self->state.log->refused(req, to_string(code), why);
  } catch (const store_unavailable& e) {
    spdlog::warn("actions: the refusal of {} is not in the audit log: {}", req.idempotency_key,
                 e.what());
  }
  return caf::make_error(code, why);
}

void deliver(plane_actor* self, const std::string& key, const caf::expected<action_result>& x) {
  auto i = self->state.running.find(key);
  if (i == self->state.running.end())
    return;
  auto waiters = std::move(i->second.waiters);
  self->state.running.erase(i);
  bool first = true;
  for (auto& w : waiters) {
    if (x) {
      auto result = *x;
      // Only the first asker's request ran; the others share its result.
      result.repeated = !first;
      w.deliver(std::move(result));
    } else {
      w.deliver(x.error());
    }
    first = false;
  }
}

void finish(plane_actor* self, const action_request& req, action_result result) {
  try {
    self->state.log->after(req, result);
  } catch (const store_unavailable& e) {
    spdlog::error("actions: {} [{}] ran ({}), but the ops store did not take its result: {}; "
                  "kept in memory until it is back",
                  req.tool, req.idempotency_key, result.status, e.what());
    self->state.unsaved[req.idempotency_key] = {req, result};
  }
  deliver(self, req.idempotency_key, result);
}

/// Hands a request (its "before" row written) to the tool's actor.
void start_run(plane_actor* self, const action_request& req) {
  auto path = self->state.ctx.path("action/tools/" + req.tool);
  auto tool_actor = self->state.ctx.directory->get(path);
  auto key = req.idempotency_key;
  if (!tool_actor) {
    auto why = "the actor of " + req.tool + " is restarting; ask again with the same key";
    try {
      self->state.log->after_without_result(req, "failed", why);
    } catch (const store_unavailable&) {
      // The missing "after" makes it a reconciliation candidate: fine, it did not run.
    }
    deliver(self, key, caf::make_error(action_error::busy, why));
    return;
  }
  self->request(tool_actor, run_timeout, act_atom::value, req)
    .then([self, req](action_result& result) { finish(self, req, std::move(result)); },
          [self, req](caf::error& err) {
            // The tool's actor died or timed out: the outcome is unknown, so no
            // result is kept and the same key runs again when asked.
            auto why = "the run did not report back: " + self->home_system().render(err)
                       + "; ask again with the same key";
            spdlog::error("actions: {} [{}]: {}", req.tool, req.idempotency_key, why);
            try {
              self->state.log->after_without_result(req, "failed", why);
            } catch (const store_unavailable&) {
              // Stays a "before" without "after": reconciled after a restart.
            }
            deliver(self, req.idempotency_key, caf::make_error(action_error::busy, why));
          });
}

caf::result<action_result> act(plane_actor* self, action_request req) {
  auto& st = self->state;
  auto* t = st.find(req.tool);
  if (t == nullptr)
    return refuse(self, req, action_error::unknown_tool,
                  "no tool named '" + req.tool + "' (known: " + st.known_tools() + ")");
  if (req.idempotency_key.empty())
    return refuse(self, req, action_error::bad_args, "idempotency_key is required");
  json args;
  try {
    args = json::parse(req.args);
    if (!args.is_object())
      throw bad_args("args must be a JSON object");
    args = t->validate(args);
  } catch (const std::exception& e) {
    return refuse(self, req, action_error::bad_args, std::string{"args: "} + e.what());
  }
  auto verdict = st.guard->classify(req.tool, t->info().risk, args);
  if (verdict.mode == policy_mode::deny)
    return refuse(self, req, action_error::not_allowed, verdict.reason);
  if (verdict.mode == policy_mode::ask && req.approved_by.empty())
    return refuse(self, req, action_error::needs_approval, verdict.reason);
  auto& key = req.idempotency_key;
  if (auto i = st.unsaved.find(key); i != st.unsaved.end()) {
    auto result = i->second.second;
    result.repeated = true;
    return result;
  }
  if (auto i = st.running.find(key); i != st.running.end()) {
    auto rp = self->make_response_promise<action_result>();
    i->second.waiters.push_back(rp);
    return rp;
  }
  try {
    st.flush_unsaved();
    if (auto stored = st.log->find_result(key)) {
      stored->repeated = true;
      return *stored;
    }
  } catch (const store_unavailable& e) {
    return refuse(self, req, action_error::store_unavailable, e.what());
  }
  auto now = now_unix_ms();
  if (auto limit = st.guard->admit(req.tool, args, now, true)) {
    auto code = limit->code == "restart_intensity" ? action_error::restart_intensity
                                                   : action_error::rate_limited;
    return refuse(self, req, code, limit->reason);
  }
  req.args = args.dump();
  try {
    st.log->before(req, verdict.reason);
  } catch (const store_unavailable& e) {
    return refuse(self, req, action_error::store_unavailable, e.what());
  }
  st.guard->admit(req.tool, args, now);
  spdlog::info("actions: running {} [{}] {} for {}{}", req.tool, key, req.args,
               req.requested_by, req.approved_by.empty() ? "" : ", approved by " + req.approved_by);
  auto rp = self->make_response_promise<action_result>();
  st.running[key] = run_in_progress{req, {rp}};
  start_run(self, req);
  return rp;
}

/// After a restart: the policy's windows from the audit log, and runs the
/// node died in the middle of, run again (tools are idempotent).
void reconcile(plane_actor* self) {
  auto& st = self->state;
  std::vector<action_request> interrupted;
  try {
    auto& policy = st.guard->config();
    auto window_s = std::max(policy.actions_window_s, policy.restarts_window_s);
    for (auto& [req, at] : st.log->runs_since(now_unix_ms() - int64_t{window_s} * 1000)) {
      auto args = json::parse(req.args, nullptr, false);
      st.guard->admit(req.tool, args.is_discarded() ? json::object() : args, at);
    }
    interrupted = st.log->interrupted();
  } catch (const std::exception& e) {
    spdlog::warn("actions: cannot reconcile yet ({}); retrying in {} s", e.what(),
                 reconcile_retry.count());
    self->delayed_send(self, reconcile_retry, reconcile_atom::value);
    return;
  }
  for (auto& req : interrupted) {
    if (st.running.count(req.idempotency_key) > 0 || st.find(req.tool) == nullptr)
      continue;
    spdlog::warn("actions: {} [{}] was interrupted (a \"before\" without an \"after\"): "
                 "running it again",
                 req.tool, req.idempotency_key);
    try {
      st.log->before(req, "reconciliation: the node stopped during the last run; running again");
    } catch (const store_unavailable& e) {
      spdlog::warn("actions: cannot reconcile {} now: {}", req.idempotency_key, e.what());
      self->delayed_send(self, reconcile_retry, reconcile_atom::value);
      return;
    }
    st.running[req.idempotency_key] = run_in_progress{req, {}};
    start_run(self, req);
  }
}

caf::behavior plane_behavior(plane_actor* self, action_context ctx) {
  auto& st = self->state;
  st.ctx = ctx;
  st.tools = make_toolbox(*ctx.config);
  st.guard = std::make_unique<policy::guard>(ctx.config->policy);
  st.log = std::make_unique<audit_log>(ctx.ops_dsn);
  spdlog::info("actions: plane up with {} tools ({})", st.tools.size(), st.known_tools());
  self->send(self, reconcile_atom::value);
  // An orderly stop (the node shutting down, its services with it) ends the
  // policy's windows: the next start is a new life of the stack. A crash
  // sends no user_shutdown, so its windows are rebuilt from the audit.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason || msg.reason == caf::exit_reason::normal)
      return; // a linked actor's normal end, as CAF's default handler
    if (msg.reason == caf::exit_reason::user_shutdown) {
      try {
        self->state.log->stopped(self->state.ctx.node_id,
                                 "the node was stopped cleanly: rate and restart windows "
                                 "start again");
      } catch (const store_unavailable& e) {
        spdlog::warn("actions: the clean stop is not in the audit log: {}", e.what());
      }
    }
    self->quit(msg.reason);
  });
  return {
    [self](act_atom, action_request& req) { return act(self, std::move(req)); },
    [self](tools_atom) {
      std::vector<tool_info> result;
      for (auto& t : self->state.tools)
        result.push_back(t->info());
      return result;
    },
    [self](audit_atom, const std::string& incident,
           uint32_t limit) -> caf::result<std::vector<audit_record>> {
      try {
        return self->state.log->records(incident, std::min(limit == 0 ? 50 : limit,
                                                           max_audit_rows));
      } catch (const store_unavailable& e) {
        return caf::make_error(action_error::store_unavailable, e.what());
      }
    },
    [self](reconcile_atom) { reconcile(self); },
  };
}

} // namespace

supervision::child_spec plane_child(action_context ctx) {
  supervision::child_spec spec;
  spec.id = "plane";
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    // Detached: the audit log's SQL blocks its own thread, not the scheduler.
    return sup->home_system().spawn<caf::detached>(plane_behavior, ctx);
  };
  return spec;
}

} // namespace vigil::actions
