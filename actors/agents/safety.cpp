#include "actors/agents/safety.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/agents/incident_store.hpp"
#include "actors/bus/publish.hpp"
#include "actors/policy/policy_guard.hpp"
#include "messages/unix_time.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;
using namespace std::chrono;

using expire_atom = caf::atom_constant<caf::atom("expire")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;

/// A gate request waiting for a human.
struct waiter {
  caf::typed_response_promise<plan_step> promise;
  plan_step step;
};

struct safety_state {
  static inline const char* name = "vigil.safety";
  safety_settings settings;
  std::unique_ptr<policy::guard> guard;
  std::unique_ptr<incident_store> store;
  bool loaded = false;
  std::string last_store_error;
  std::map<std::string, stored_approval> approvals; ///< By id.
  std::map<std::string, std::string> by_key;        ///< Step key → approval id.
  std::map<std::string, std::vector<waiter>> waiting;  ///< Approval id → gates.
  /// Step key → the approved answer: a step is counted against the limits
  /// once, however often it is gated (a restarted coordinator re-gates).
  std::map<std::string, plan_step> admitted;
  uint64_t memory_ids = 0;
};

using safety_impl = safety_actor::extend<caf::reacts_to<expire_atom, std::string>,
                                         caf::reacts_to<reload_atom>>;
using safety_ptr = safety_impl::stateful_pointer<safety_state>;

void publish(safety_ptr self, const approval& a, const std::string& summary,
             const std::string& severity) {
  auto& s = self->state.settings;
  if (!s.directory)
    return;
  event e;
  e.topic = std::string{"approval."} + to_string(a.state);
  e.severity = severity;
  e.summary = summary;
  e.payload = json{{"approval", a.id}, {"incident", a.incident}, {"step", a.step},
                   {"tool", a.tool}, {"state", a.state}, {"decided_by", a.decided_by}}
                .dump();
  // The relay is dynamically typed: a typed actor may only anon_send to it.
  if (auto relay = s.directory->get(bus::relay_path(s.node_id)))
    caf::anon_send(relay, publish_atom::value, std::move(e));
}

void schedule_expiry(safety_ptr self, const approval& a) {
  auto wait = std::max<int64_t>(0, a.expires_unix_ms - now_unix_ms());
  self->delayed_send(self, milliseconds(wait) + milliseconds(1), expire_atom::value, a.id);
}

/// Replays the steps that ran recently into the guard's windows, so a
/// restarted safety agent still counts the restarts before it, as the
/// action plane does: not those from before the action node's last clean
/// stop (`stopped_unix_ms`), the stack's previous life.
void replay_limits(safety_ptr self, const std::vector<incident>& recent,
                   int64_t stopped_unix_ms) {
  std::vector<std::tuple<int64_t, const plan_step*>> steps;
  for (auto& x : recent)
    for (auto& s : x.plan)
      if (s.started_unix_ms > 0 && has_run(s.state))
        steps.emplace_back(s.started_unix_ms, &s);
  std::sort(steps.begin(), steps.end(),
            [](auto& a, auto& b) { return std::get<0>(a) < std::get<0>(b); });
  for (auto& [at, step] : steps) {
    auto args = json::parse(step->args, nullptr, false);
    if (at > stopped_unix_ms)
      self->state.guard->admit(step->tool, args, at);
    auto answer = *step;
    answer.state = step_state::approved;
    self->state.admitted[step->idempotency_key] = answer;
  }
}

/// Reads the approvals and recent steps once; false while the store is down.
bool load(safety_ptr self) {
  auto& st = self->state;
  if (st.loaded)
    return true;
  if (!st.store) {
    st.loaded = true;
    return true;
  }
  try {
    auto& policy = st.settings.policy;
    auto window = std::max(policy.restarts_window_s, policy.actions_window_s);
    auto recent = st.store->recent(now_unix_ms() - int64_t{window} * 1000);
    auto stored = st.store->approvals(500);
    replay_limits(self, recent, st.store->last_clean_stop_unix_ms());
    size_t pending = 0;
    for (auto& x : stored) {
      if (st.approvals.count(x.request.id) != 0)
        continue;
      st.by_key[x.step_key] = x.request.id;
      if (x.request.state == approval_state::pending) {
        ++pending;
        schedule_expiry(self, x.request);
      }
      st.approvals[x.request.id] = x;
    }
    st.loaded = true;
    spdlog::info("safety: loaded {} approvals ({} pending) and {} recent incidents",
                 stored.size(), pending, recent.size());
    st.last_store_error.clear();
    return true;
  } catch (const incident_store_error& e) {
    if (st.last_store_error != e.what())
      spdlog::warn("safety: cannot read approvals yet: {}", e.what());
    st.last_store_error = e.what();
    return false;
  }
}

plan_step refused(plan_step step, const std::string& why) {
  step.state = step_state::refused;
  step.result = why;
  return step;
}

/// Admits the step against the moving limits and answers it approved, or
/// refused when a limit stops it now.
plan_step admit(safety_ptr self, plan_step step, const std::string& by,
                const std::string& approval_id, int64_t wait_ms) {
  auto& st = self->state;
  if (auto i = st.admitted.find(step.idempotency_key); i != st.admitted.end())
    return i->second;
  auto args = json::parse(step.args, nullptr, false);
  auto now = now_unix_ms();
  if (auto r = st.guard->admit(step.tool, args, now, true)) {
    spdlog::warn("safety: refused {} ({}): {}", step.idempotency_key, step.tool, r->reason);
    step.approval_id = approval_id;
    step.approval_wait_ms = wait_ms;
    return refused(std::move(step), r->code + ": " + r->reason);
  }
  st.guard->admit(step.tool, args, now);
  step.state = step_state::approved;
  step.approved_by = by;
  step.approval_id = approval_id;
  step.approval_wait_ms = wait_ms;
  step.result.clear();
  st.admitted[step.idempotency_key] = step;
  return step;
}

/// The answer to a gate whose approval is decided.
plan_step answer_decided(safety_ptr self, const approval& a, plan_step step) {
  auto wait = std::max<int64_t>(0, a.decided_unix_ms - a.requested_unix_ms);
  if (a.state == approval_state::approved)
    return admit(self, std::move(step), a.decided_by, a.id, wait);
  step.state = a.state == approval_state::rejected ? step_state::rejected : step_state::expired;
  step.approval_id = a.id;
  step.approval_wait_ms = wait;
  step.result = a.state == approval_state::rejected
                  ? a.id + " rejected by " + a.decided_by
                      + (a.reason.empty() ? "" : ": " + a.reason)
                  : a.id + " expired: " + a.reason;
  return step;
}

void answer_waiters(safety_ptr self, const approval& a) {
  auto i = self->state.waiting.find(a.id);
  if (i == self->state.waiting.end())
    return;
  auto waiters = std::move(i->second);
  self->state.waiting.erase(i);
  for (auto& w : waiters)
    w.promise.deliver(answer_decided(self, a, w.step));
}

std::string next_id(safety_ptr self) {
  auto& st = self->state;
  if (st.store)
    return st.store->next_approval_id();
  return "apr-" + std::to_string(++st.memory_ids);
}

/// What the checks made at the decision found, for the human who approves
/// ("" when the cause was not confirmed afresh).
std::string confirmed_now(const incident& subject) {
  if (subject.hypothesis_index >= subject.hypotheses.size())
    return {};
  std::string out;
  for (auto& e : subject.hypotheses[subject.hypothesis_index].evidence_for)
    if (e.rfind("confirmed now: ", 0) == 0)
      out += (out.empty() ? " Checked just now: " : "; ") + e.substr(15);
  return out;
}

caf::result<plan_step> ask_human(safety_ptr self, const incident& subject, plan_step step,
                                 const std::string& why) {
  auto& st = self->state;
  if (!load(self))
    return caf::make_error(incident_error::store_unavailable,
                           "approvals cannot be read now: " + st.last_store_error);
  if (auto k = st.by_key.find(step.idempotency_key); k != st.by_key.end()) {
    auto& a = st.approvals[k->second].request;
    if (a.state != approval_state::pending)
      return answer_decided(self, a, std::move(step));
    auto promise = self->make_response_promise<plan_step>();
    st.waiting[a.id].push_back({promise, std::move(step)});
    return promise;
  }
  // Never ask a human for a step the limits would refuse anyway.
  auto args = json::parse(step.args, nullptr, false);
  if (auto r = st.guard->admit(step.tool, args, now_unix_ms(), true))
    return refused(std::move(step), r->code + ": " + r->reason);
  stored_approval x;
  auto& a = x.request;
  a.incident = subject.id;
  a.step = step.index;
  a.tool = step.tool;
  a.args = step.args;
  a.risk = step.risk;
  a.why = step.why.empty() ? why : step.why + " (" + why + ")";
  a.why += confirmed_now(subject);
  a.requested_unix_ms = now_unix_ms();
  a.expires_unix_ms = a.requested_unix_ms + int64_t{st.settings.policy.approval_timeout_s} * 1000;
  x.step_key = step.idempotency_key;
  try {
    a.id = next_id(self);
    if (st.store)
      st.store->save_approval(x);
  } catch (const incident_store_error& e) {
    return caf::make_error(incident_error::store_unavailable,
                           std::string{"cannot record the approval request: "} + e.what());
  }
  st.approvals[a.id] = x;
  st.by_key[x.step_key] = a.id;
  schedule_expiry(self, a);
  spdlog::info("safety: {} asks a human to approve {} step {} ({} {}): {}", a.id, a.incident,
               a.step, a.tool, a.args, why);
  publish(self, a,
          a.id + ": " + a.incident + " waits for approval of " + a.tool + " " + a.args, "warning");
  auto promise = self->make_response_promise<plan_step>();
  st.waiting[a.id].push_back({promise, std::move(step)});
  return promise;
}

/// "human:alice", "campaign:drill-7": a kind and a name, never the words
/// the safety agent itself uses.
bool valid_decider(const std::string& who) {
  auto colon = who.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == who.size() || who.size() > 200)
    return false;
  if (who == "policy" || who == "timeout")
    return false;
  return std::all_of(who.begin(), who.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

safety_impl::behavior_type safety_behavior(safety_ptr self, safety_settings settings) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.guard = std::make_unique<policy::guard>(st.settings.policy);
  if (!st.settings.ops_dsn.empty())
    st.store = std::make_unique<incident_store>(st.settings.ops_dsn);
  if (!load(self))
    self->delayed_send(self, st.settings.reload_every, reload_atom::value);
  return {
    [self](gate_atom, const incident& subject, plan_step step) -> caf::result<plan_step> {
      auto& st = self->state;
      if (step.idempotency_key.empty())
        return caf::make_error(incident_error::bad_request, "a step needs an idempotency key");
      if (auto i = st.admitted.find(step.idempotency_key); i != st.admitted.end())
        return i->second;
      auto args = json::parse(step.args, nullptr, false);
      if (!args.is_object()) {
        auto why = "args are not a JSON object: " + step.args;
        return refused(std::move(step), why);
      }
      auto d = st.guard->classify(step.tool, to_string(step.risk), args);
      if (d.mode == policy_mode::deny) {
        spdlog::warn("safety: refused {} ({}): {}", step.idempotency_key, step.tool, d.reason);
        return refused(std::move(step), "not_allowed: " + d.reason);
      }
      load(self); // The limits count what ran before a restart.
      if (d.mode == policy_mode::automatic)
        return admit(self, std::move(step), "policy", "", 0);
      return ask_human(self, subject, std::move(step), d.reason);
    },
    [self](approvals_atom, bool pending_only) {
      load(self);
      std::vector<approval> result;
      for (auto& [id, x] : self->state.approvals)
        if (!pending_only || x.request.state == approval_state::pending)
          result.push_back(x.request);
      std::sort(result.begin(), result.end(), [](const approval& a, const approval& b) {
        return std::tie(a.requested_unix_ms, a.id) > std::tie(b.requested_unix_ms, b.id);
      });
      return result;
    },
    [self](decide_atom, const std::string& id, bool approve, const std::string& who,
           const std::string& reason) -> caf::result<approval> {
      auto& st = self->state;
      if (!valid_decider(who))
        return caf::make_error(incident_error::bad_request,
                               "who must be KIND:NAME (\"human:alice\"), got '" + who + "'");
      if (reason.size() > 2000)
        return caf::make_error(incident_error::bad_request, "reason longer than 2000 characters");
      if (!load(self))
        return caf::make_error(incident_error::store_unavailable,
                               "approvals cannot be read now: " + st.last_store_error);
      auto i = st.approvals.find(id);
      if (i == st.approvals.end())
        return caf::make_error(incident_error::unknown_approval, "no approval '" + id + "'");
      auto a = i->second.request;
      if (a.state != approval_state::pending)
        return caf::make_error(incident_error::already_decided,
                               id + " was already " + to_string(a.state) + " by " + a.decided_by);
      a.state = approve ? approval_state::approved : approval_state::rejected;
      a.decided_by = who;
      a.decided_unix_ms = now_unix_ms();
      a.reason = reason;
      try {
        if (st.store)
          st.store->save_approval({a, i->second.step_key});
      } catch (const incident_store_error& e) {
        return caf::make_error(incident_error::store_unavailable,
                               std::string{"cannot record the decision: "} + e.what());
      }
      i->second.request = a;
      spdlog::info("safety: {} {} by {}{}", id, to_string(a.state), who,
                   reason.empty() ? "" : " (" + reason + ")");
      publish(self, a, id + " " + to_string(a.state) + " by " + who + (reason.empty() ? "" : ": " + reason),
              "info");
      answer_waiters(self, a);
      return a;
    },
    [self](expire_atom, const std::string& id) {
      auto& st = self->state;
      auto i = st.approvals.find(id);
      if (i == st.approvals.end() || i->second.request.state != approval_state::pending)
        return;
      auto a = i->second.request;
      auto now = now_unix_ms();
      if (now < a.expires_unix_ms) {
        schedule_expiry(self, a);
        return;
      }
      a.state = approval_state::expired;
      a.decided_by = "timeout";
      a.decided_unix_ms = now;
      a.reason = "nobody decided within " + std::to_string(st.settings.policy.approval_timeout_s)
                 + " s";
      try {
        if (st.store)
          st.store->save_approval({a, i->second.step_key});
      } catch (const incident_store_error& e) {
        spdlog::warn("safety: cannot record that {} expired, trying again: {}", id, e.what());
        self->delayed_send(self, st.settings.reload_every, expire_atom::value, id);
        return;
      }
      i->second.request = a;
      spdlog::warn("safety: {} expired ({} step {} {})", id, a.incident, a.step, a.tool);
      publish(self, a, id + " expired: " + a.reason, "warning");
      answer_waiters(self, a);
    },
    [self](reload_atom) {
      if (!load(self))
        self->delayed_send(self, self->state.settings.reload_every, reload_atom::value);
    },
  };
}

} // namespace

safety_actor spawn_safety(caf::actor_system& sys, safety_settings settings) {
  // Detached: the ops store calls block.
  return sys.spawn<caf::detached>(safety_behavior, std::move(settings));
}

supervision::child_spec safety_child(const agents_context& ctx) {
  supervision::child_spec spec;
  spec.id = "safety";
  safety_settings settings;
  settings.node_id = ctx.node_id;
  settings.directory = ctx.directory;
  settings.policy = ctx.config.policy;
  settings.ops_dsn = ctx.ops_dsn;
  spec.start = [settings](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_safety(sup->home_system(), settings));
  };
  return spec;
}

} // namespace vigil::agents
