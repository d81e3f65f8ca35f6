#include "actors/agents/incidents.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/agents/incident_store.hpp"
#include "actors/agents/independent_causes.hpp"
#include "actors/agents/role_lookup.hpp"
#include "actors/agents/verifier.hpp"
#include "actors/bus/publish.hpp"
#include "actors/policy/policy_guard.hpp"
#include "messages/actions.hpp"
#include "messages/incidents_json.hpp"
#include "messages/observability.hpp"
#include "messages/unix_time.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;
using namespace std::chrono;

using advance_atom = caf::atom_constant<caf::atom("advance")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

bool closed(const incident& x) {
  return is_closed(x.state);
}

/// A step that needs nothing more.
bool finished(const plan_step& s) {
  return is_final(s.state);
}

/// Steps of the hypothesis being tried carry "<incident>/h<index>/" keys.
std::string hypothesis_prefix(const incident& x) {
  return x.id + "/h" + std::to_string(x.hypothesis_index) + "/";
}

bool of_current_hypothesis(const incident& x, const plan_step& s) {
  return s.idempotency_key.rfind(hypothesis_prefix(x), 0) == 0;
}

plan_step* current_step(incident& x) {
  for (auto& s : x.plan)
    if (of_current_hypothesis(x, s) && !finished(s))
      return &s;
  return nullptr;
}

plan_step* step_by_key(incident& x, const std::string& key) {
  for (auto& s : x.plan)
    if (s.idempotency_key == key)
      return &s;
  return nullptr;
}

std::string step_name(const plan_step& s) {
  return "step " + std::to_string(s.index) + " (" + s.tool + " " + s.args + ")";
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (auto& x : from)
    if (std::find(to.begin(), to.end(), x) == to.end())
      to.push_back(x);
}

struct coordinator_state {
  static inline const char* name = "vigil.incidents";
  agents_context ctx;
  coordinator_settings settings;
  verifier_settings verifier;
  /// Only to show whether a step will wait for a human; safety decides.
  std::unique_ptr<policy::guard> policy;
  std::unique_ptr<incident_store> store;
  std::map<std::string, incident> incidents; ///< Open ones and recently closed.
  std::set<std::string> busy;                ///< A request for it is out.
  std::set<std::string> unsaved;             ///< The ops store missed their last change.
  std::map<std::string, uint32_t> attempts;  ///< Failed requests in a row.
  std::map<std::string, std::string> waiting_why;  ///< Logged once per change.
  /// Incidents whose problem ended while a step waited for a human: the
  /// approval is withdrawn, and its rejection resolves them (see gate()).
  std::set<std::string> recovered;
  /// Per service, the last health and SLIs seen while no incident had it.
  std::map<std::string, json> last_good;
  /// Diagnosis' bar for acting: a second cause at least this sure is
  /// handled at once, as an incident of its own.
  double min_confidence = 0.5;
  bool paused = false;
  bool loaded = false;
  uint64_t next_number = 0;
  std::string last_store_error;
};

using coordinator_impl = incidents_actor::extend<caf::reacts_to<advance_atom, std::string>,
                                                 caf::reacts_to<tick_atom>>;
using coordinator_ptr = coordinator_impl::stateful_pointer<coordinator_state>;

incident* find(coordinator_ptr self, const std::string& id) {
  auto i = self->state.incidents.find(id);
  return i == self->state.incidents.end() ? nullptr : &i->second;
}

template <class Handle>
Handle local(coordinator_ptr self, const std::string& suffix) {
  return caf::actor_cast<Handle>(self->state.ctx.directory->get(self->state.ctx.path(suffix)));
}

std::string render(coordinator_ptr self, const caf::error& err) {
  return self->system().render(err);
}

void save(coordinator_ptr self, const incident& x) {
  auto& st = self->state;
  if (!st.store)
    return;
  try {
    st.store->save(x);
    st.unsaved.erase(x.id);
    if (!st.last_store_error.empty())
      spdlog::info("incidents: the ops store is back");
    st.last_store_error.clear();
  } catch (const incident_store_error& e) {
    st.unsaved.insert(x.id);
    if (st.last_store_error != e.what())
      spdlog::warn("incidents: cannot write {} to the ops store, keeping it in memory: {}", x.id,
                   e.what());
    st.last_store_error = e.what();
  }
}

/// Keeps the transition: in the ops store, in the log and on the bus.
void transition(coordinator_ptr self, incident& x, const std::string& what,
                const std::string& severity = "info") {
  save(self, x);
  if (severity == "info")
    spdlog::info("incidents: {} [{}] {}", x.id, to_string(x.state), what);
  else
    spdlog::warn("incidents: {} [{}] {}", x.id, to_string(x.state), what);
  auto& ctx = self->state.ctx;
  if (!ctx.directory)
    return;
  event e;
  e.topic = std::string{"incident."} + to_string(x.state);
  e.severity = severity;
  e.summary = x.id + ": " + what;
  e.payload = json{{"incident", x.id}, {"state", x.state}, {"services", x.services}}.dump();
  // The relay is dynamically typed: a typed actor may only anon_send to it.
  if (auto relay = ctx.directory->get(bus::relay_path(ctx.node_id)))
    caf::anon_send(relay, publish_atom::value, std::move(e));
}

void advance(coordinator_ptr self, const std::string& id);

void later(coordinator_ptr self, const std::string& id) {
  self->delayed_send(self, self->state.settings.retry_delay, advance_atom::value, id);
}

/// The narrator's brief (and at the end its postmortem), when it runs.
void narrate(coordinator_ptr self, const std::string& id, bool at_close) {
  auto narrator = local<narrator_actor>(self, actor_paths::narrator);
  auto* x = find(self, id);
  if (!narrator || !x)
    return;
  auto timeout = self->state.settings.ask_timeout;
  self->request(narrator, timeout, brief_atom::value, *x)
    .then(
      [self, id, at_close, narrator, timeout](const std::string& brief) {
        auto* x = find(self, id);
        if (!x)
          return;
        x->brief = brief;
        save(self, *x);
        if (!at_close)
          return;
        self->request(narrator, timeout * 2, postmortem_atom::value, *x)
          .then(
            [self, id](const std::string& path) {
              if (auto* x = find(self, id)) {
                x->postmortem_path = path;
                save(self, *x);
              }
            },
            [self, id](const caf::error& err) {
              spdlog::warn("incidents: no postmortem for {}: {}", id, render(self, err));
            });
      },
      [self, id](const caf::error& err) {
        spdlog::warn("incidents: no brief for {}: {}", id, render(self, err));
      });
}

void close(coordinator_ptr self, incident& x, incident_state state, const std::string& why) {
  auto now = now_unix_ms();
  for (auto& s : x.plan) {
    if (finished(s))
      continue;
    if (s.state == step_state::running) {
      // Sent, but its outcome never came back.
      s.state = step_state::failed;
      s.result = "outcome unknown: " + why;
    } else if (s.state == step_state::done) {
      s.state = step_state::not_verified;
      s.verification = "not verified: " + why;
    } else {
      s.state = step_state::skipped;
    }
  }
  x.state = state;
  x.closed_unix_ms = now;
  bool resolved = state == incident_state::resolved;
  if (resolved) {
    x.mitigated_unix_ms = now;
  } else {
    x.escalation = why;
  }
  self->state.busy.erase(x.id);
  self->state.attempts.erase(x.id);
  transition(self, x, (resolved ? "resolved: " : "escalated: ") + why,
             resolved ? "info" : "error");
  narrate(self, x.id, true);
}

void escalate(coordinator_ptr self, incident& x, const std::string& why) {
  close(self, x, incident_state::escalated, why);
}

/// A request for the incident failed (agent gone, timeout, no node): try
/// again later, and escalate when it keeps failing.
void failed(coordinator_ptr self, const std::string& id, const std::string& why) {
  auto& st = self->state;
  st.busy.erase(id);
  auto* x = find(self, id);
  if (!x || closed(*x))
    return;
  auto n = ++st.attempts[id];
  if (st.waiting_why[id] != why)
    spdlog::warn("incidents: {} [{}] waits: {} (attempt {}, retrying)", id, to_string(x->state), why, n);
  st.waiting_why[id] = why;
  if (n >= st.settings.max_attempts) {
    escalate(self, *x, why + " (" + std::to_string(n) + " attempts)");
    return;
  }
  later(self, id);
}

void succeeded(coordinator_ptr self, const std::string& id) {
  self->state.busy.erase(id);
  self->state.attempts.erase(id);
  self->state.waiting_why.erase(id);
}

int64_t ms(caf::timespan t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t).count();
}

void add_baseline(coordinator_ptr self, incident& x);
std::string new_id(coordinator_ptr self);

/// Causes independent of the first (two faults at once) are not tried one
/// after the other: each gets an incident of its own, planned at once, and
/// each incident keeps only the services its own cause explains (a service
/// that depends on both, the shop in front of the database and the pricing
/// service, is left to perception: still sick after both fixes, it opens a
/// new incident).
void split_independent(coordinator_ptr self, incident& x) {
  auto extra = independent_causes(x.hypotheses, self->state.min_confidence);
  if (extra.empty())
    return;
  std::vector<hypothesis> own;
  std::vector<hypothesis> keep;
  for (size_t i = 0; i < x.hypotheses.size(); ++i)
    (std::count(extra.begin(), extra.end(), i) != 0 ? own : keep).push_back(x.hypotheses[i]);
  x.hypotheses = std::move(keep);
  // Each incident is verified on what its own cause broke: the services of
  // the other cause (its component and what depends on it) leave this one.
  for (auto& h : own)
    x.services.erase(std::remove_if(x.services.begin(), x.services.end(),
                                    [&h](const std::string& svc) {
                                      return svc == h.component
                                             || std::count(h.blast_radius.begin(),
                                                           h.blast_radius.end(), svc) != 0;
                                    }),
                     x.services.end());
  auto& first = x.hypotheses.front().component;
  if (!first.empty() && std::count(x.services.begin(), x.services.end(), first) == 0)
    x.services.insert(x.services.begin(), first);
  auto now = now_unix_ms();
  for (auto& h : own) {
    incident y;
    y.id = new_id(self);
    y.state = incident_state::planning;
    y.title = h.component + ": " + h.title;
    y.services = {h.component};
    y.symptoms = h.evidence_for;
    y.started_unix_ms = x.started_unix_ms;
    y.opened_unix_ms = now;
    y.hypotheses = {h};
    add_baseline(self, y);
    auto id = y.id;
    auto& stored = self->state.incidents.emplace(id, std::move(y)).first->second;
    transition(self, stored,
               "opened for a second cause found with " + x.id + ": " + h.root_cause + " on "
                 + h.component,
               "warning");
    transition(self, x, "a second, independent cause (" + h.root_cause + " on " + h.component
                          + ") is handled at once as " + id);
    advance(self, id);
  }
}

void diagnose(coordinator_ptr self, incident& x) {
  auto age = now_unix_ms() - x.opened_unix_ms;
  auto settle = ms(self->state.settings.diagnose_settle);
  if (age < settle) {
    self->delayed_send(self, std::chrono::milliseconds(settle - age), advance_atom::value, x.id);
    return;
  }
  auto diagnosis = local<diagnosis_actor>(self, actor_paths::diagnosis);
  if (!diagnosis) {
    failed(self, x.id, "diagnosis is not running");
    return;
  }
  auto id = x.id;
  self->state.busy.insert(id);
  self->request(diagnosis, self->state.settings.ask_timeout, diagnose_atom::value, x)
    .then(
      [self, id](std::vector<hypothesis>& ranked) {
        succeeded(self, id);
        auto* x = find(self, id);
        if (!x || x->state != incident_state::diagnosing)
          return;
        bool undecided = ranked.empty() || ranked.front().root_cause == "unknown";
        if (undecided
            && now_unix_ms() - x->opened_unix_ms < ms(self->state.settings.diagnose_for)) {
          // The symptoms may still be developing (a lock's waiters pile up).
          later(self, id);
          return;
        }
        if (ranked.empty()) {
          hypothesis unknown;
          unknown.root_cause = "unknown";
          unknown.title = "No runbook matches the symptoms";
          ranked.push_back(std::move(unknown));
        }
        x->hypotheses = std::move(ranked);
        x->hypothesis_index = 0;
        x->state = incident_state::planning;
        auto& top = x->hypotheses.front();
        transition(self, *x,
                   "diagnosed: " + top.root_cause + " (confidence "
                     + std::to_string(static_cast<int>(top.confidence * 100)) + "%, "
                     + std::to_string(x->hypotheses.size()) + " hypotheses)");
        split_independent(self, *x);
        advance(self, id);
      },
      [self, id](const caf::error& err) {
        failed(self, id, "diagnosis failed: " + render(self, err));
      });
}

/// Everything gathered, for the human who takes over.
std::string unknown_cause(const incident& x) {
  std::string why = "no known root cause";
  if (x.hypothesis_index < x.hypotheses.size()) {
    auto& h = x.hypotheses[x.hypothesis_index];
    if (h.root_cause != "unknown")
      why = "no runbook for " + h.root_cause;
    if (h.confidence > 0)
      why += " (confidence " + std::to_string(static_cast<int>(h.confidence * 100)) + "%)";
    if (!h.evidence_for.empty())
      why += "; seen: " + h.evidence_for.front();
  }
  if (!x.symptoms.empty())
    why += "; symptoms: " + x.symptoms.front();
  return why;
}

void plan(coordinator_ptr self, incident& x) {
  if (x.hypothesis_index >= x.hypotheses.size()) {
    escalate(self, x, "no hypothesis left to try");
    return;
  }
  auto& h = x.hypotheses[x.hypothesis_index];
  if (h.root_cause == "unknown" || h.root_cause.empty() || h.runbook.empty()) {
    escalate(self, x, unknown_cause(x));
    return;
  }
  auto planner = local<planner_actor>(self, actor_paths::planner);
  if (!planner) {
    failed(self, x.id, "the planner is not running");
    return;
  }
  auto id = x.id;
  auto hypothesis_index = x.hypothesis_index;
  self->state.busy.insert(id);
  self->request(planner, self->state.settings.ask_timeout, plan_atom::value, x, h)
    .then(
      [self, id, hypothesis_index](std::vector<plan_step>& steps) {
        succeeded(self, id);
        auto* x = find(self, id);
        if (!x || x->state != incident_state::planning || x->hypothesis_index != hypothesis_index)
          return;
        if (steps.empty()) {
          auto& h = x->hypotheses[hypothesis_index];
          escalate(self, *x, "no safe automatic fix for " + h.root_cause
                               + (h.component.empty() ? "" : " on " + h.component)
                               + " (runbook " + h.runbook + " has no steps): a human must look");
          return;
        }
        // The coordinator numbers steps across hypotheses and makes the keys,
        // so a key names exactly one intended effect.
        auto base = static_cast<uint32_t>(x->plan.size());
        for (auto& s : steps) {
          s.index = base++;
          s.idempotency_key = hypothesis_prefix(*x) + "s" + std::to_string(s.index);
          s.state = step_state::planned;
          s.approval_id.clear();
          s.approved_by.clear();
          s.result.clear();
          s.verification.clear();
          s.started_unix_ms = s.finished_unix_ms = s.approval_wait_ms = 0;
          x->plan.push_back(std::move(s));
        }
        x->state = incident_state::acting;
        transition(self, *x,
                   "planned " + std::to_string(steps.size()) + " steps from runbook "
                     + x->hypotheses[hypothesis_index].runbook);
        advance(self, id);
      },
      [self, id](const caf::error& err) {
        failed(self, id, "the planner failed: " + render(self, err));
      });
}

/// The step did not work: next step, next hypothesis or escalate, as the
/// plan says.
void on_failure(coordinator_ptr self, incident& x, const plan_step& step, const std::string& why) {
  auto what = step_name(step) + " " + to_string(step.state) + ": " + why;
  if (step.on_failure == failure_policy::next_step) {
    if (current_step(x)) {
      x.state = incident_state::acting;
      transition(self, x, what + "; trying the next step", "warning");
      advance(self, x.id);
      return;
    }
    escalate(self, x, what + "; no step left");
    return;
  }
  if (step.on_failure == failure_policy::next_hypothesis) {
    for (auto& s : x.plan)
      if (of_current_hypothesis(x, s) && !finished(s))
        s.state = step_state::skipped;
    auto next = x.hypothesis_index + 1;
    if (next < x.hypotheses.size() && x.hypotheses[next].root_cause != "unknown"
        && !x.hypotheses[next].runbook.empty()) {
      x.hypothesis_index = next;
      x.state = incident_state::planning;
      transition(self, x, what + "; trying hypothesis " + x.hypotheses[next].root_cause,
                 "warning");
      advance(self, x.id);
      return;
    }
    escalate(self, x, what + "; no other hypothesis to try");
    return;
  }
  escalate(self, x, what);
}

void verify(coordinator_ptr self, incident& x, plan_step& step) {
  auto verifier = local<verifier_actor>(self, actor_paths::verifier);
  if (!verifier) {
    failed(self, x.id, "the verifier is not running");
    return;
  }
  auto id = x.id;
  auto key = step.idempotency_key;
  auto timeout = self->state.verifier.budget(step) + self->state.settings.margin;
  self->state.busy.insert(id);
  self->request(verifier, timeout, verify_atom::value, x, step)
    .then(
      [self, id, key](const plan_step& answer) {
        succeeded(self, id);
        auto* x = find(self, id);
        auto* s = x ? step_by_key(*x, key) : nullptr;
        if (!s || s->state != step_state::done || closed(*x))
          return;
        s->verification = answer.verification;
        if (answer.state == step_state::verified) {
          s->state = step_state::verified;
          close(self, *x, incident_state::resolved, step_name(*s) + " verified: " + answer.verification);
          return;
        }
        s->state = step_state::not_verified;
        on_failure(self, *x, *s, answer.verification);
      },
      [self, id](const caf::error& err) {
        failed(self, id, "the verifier failed: " + render(self, err));
      });
}

/// What the action plane answered.
void acted(coordinator_ptr self, const std::string& id, const std::string& key,
           const action_result& r) {
  succeeded(self, id);
  auto* x = find(self, id);
  auto* s = x ? step_by_key(*x, key) : nullptr;
  if (!s || s->state != step_state::running || closed(*x))
    return;
  s->result = r.detail;
  s->finished_unix_ms = r.finished_unix_ms != 0 ? r.finished_unix_ms : now_unix_ms();
  if (r.status == "done") {
    s->state = step_state::done;
    x->state = incident_state::verifying;
    transition(self, *x, step_name(*s) + " done: " + r.detail);
    advance(self, id);
    return;
  }
  s->state = step_state::failed;
  on_failure(self, *x, *s, "the action failed: " + r.detail);
}

/// The plane refused or could not run the step.
void act_error(coordinator_ptr self, const std::string& id, const std::string& key,
               const caf::error& err) {
  auto why = render(self, err);
  if (err.category() == caf::atom("action")) {
    auto code = static_cast<action_error>(err.code());
    if (code == action_error::busy) {
      // The same key runs now (sent before a restart): ask again for its
      // result, without counting it as a failure.
      self->state.busy.erase(id);
      later(self, id);
      return;
    }
    if (code != action_error::rate_limited
        && code != action_error::store_unavailable) {
      succeeded(self, id);
      auto* x = find(self, id);
      auto* s = x ? step_by_key(*x, key) : nullptr;
      if (!s || s->state != step_state::running || closed(*x))
        return;
      s->state = step_state::refused;
      s->result = "the action plane refused it: " + why;
      s->finished_unix_ms = now_unix_ms();
      escalate(self, *x, step_name(*s) + " refused by the action plane: " + why);
      return;
    }
  }
  failed(self, id, "the action plane: " + why);
}

void act(coordinator_ptr self, incident& x, plan_step& step) {
  auto registry = self->state.ctx.registry ? self->state.ctx.registry() : registry_actor{};
  auto id = x.id;
  auto key = step.idempotency_key;
  self->state.busy.insert(id);
  find_by_role<action_plane_actor>(
    self, registry, "action", actor_paths::action_plane,
    [self, id, key](action_plane_actor plane) {
      auto* x = find(self, id);
      auto* s = x ? step_by_key(*x, key) : nullptr;
      if (!s || s->state != step_state::running || closed(*x)) {
        self->state.busy.erase(id);
        return;
      }
      action_request req;
      req.tool = s->tool;
      req.args = s->args;
      req.idempotency_key = s->idempotency_key;
      req.incident = id;
      req.requested_by = "agent:coordinator";
      req.approved_by = s->approved_by;
      self->request(plane, self->state.settings.act_timeout, act_atom::value, req)
        .then([self, id, key](const action_result& r) { acted(self, id, key, r); },
              [self, id, key](const caf::error& err) { act_error(self, id, key, err); });
    },
    [self, id](const std::string& why) { failed(self, id, "no action plane: " + why); });
}

void run_step(coordinator_ptr self, incident& x, plan_step& step) {
  // "running" is written before the request leaves: a restarted
  // coordinator sends the same key again instead of a new action.
  step.state = step_state::running;
  step.started_unix_ms = now_unix_ms();
  x.state = incident_state::acting;
  transition(self, x, "running " + step_name(step) + ", approved by " + step.approved_by);
  act(self, x, step);
}

/// Whether `step` is the first of its hypothesis to run: nothing was done
/// for that cause yet, so its diagnosis is still the step's precondition.
bool first_of_its_hypothesis(const incident& x, const plan_step& step) {
  for (auto& s : x.plan)
    if (s.index < step.index && of_current_hypothesis(x, s) && s.started_unix_ms != 0)
      return false;
  return of_current_hypothesis(x, step);
}

/// An approved step runs, unless its cause is already gone: before the
/// first step of a hypothesis, diagnosis makes the hypothesis' confirming
/// checks again. A step whose precondition no longer holds is skipped, not
/// run, and the incident resolves as recovered. A diagnosis that cannot
/// answer blocks nothing.
void start(coordinator_ptr self, incident& x, plan_step& step) {
  auto diagnosis = local<diagnosis_actor>(self, actor_paths::diagnosis);
  if (!diagnosis || x.hypothesis_index >= x.hypotheses.size()
      || !first_of_its_hypothesis(x, step)) {
    run_step(self, x, step);
    return;
  }
  auto id = x.id;
  auto key = step.idempotency_key;
  auto still = [self, id, key]() -> std::pair<incident*, plan_step*> {
    auto* x = find(self, id);
    auto* s = x ? step_by_key(*x, key) : nullptr;
    if (!s || s->state != step_state::approved || closed(*x))
      return {nullptr, nullptr};
    return {x, s};
  };
  self->state.busy.insert(id);
  self->request(diagnosis, self->state.settings.margin, confirm_atom::value,
                x.hypotheses[x.hypothesis_index])
    .then(
      [self, id, still](const hypothesis& now) {
        succeeded(self, id);
        auto [x, s] = still();
        if (!x)
          return;
        if (now.confidence > 0) {
          run_step(self, *x, *s);
          return;
        }
        std::string why = "its cause is no longer there";
        for (auto& e : now.evidence_against)
          if (e.rfind("not confirmed now: ", 0) == 0)
            why = e;
        s->result = "not run: " + why;
        close(self, *x, incident_state::resolved, "recovered before " + step_name(*s) + " ran: " + why);
      },
      [self, id, still](const caf::error& err) {
        succeeded(self, id);
        auto [x, s] = still();
        if (!x)
          return;
        spdlog::warn("incidents: {} cannot check again before {}: {}; running it", id,
                     step_name(*s), render(self, err));
        run_step(self, *x, *s);
      });
}

void gate(coordinator_ptr self, incident& x, plan_step& step) {
  auto safety = local<safety_actor>(self, actor_paths::safety);
  if (!safety) {
    failed(self, x.id, "the safety agent is not running");
    return;
  }
  auto& st = self->state;
  auto args = json::parse(step.args, nullptr, false);
  auto asks = st.policy->classify(step.tool, to_string(step.risk), args).mode == policy_mode::ask;
  auto state = asks ? incident_state::awaiting_approval : incident_state::acting;
  if (x.state != state || (asks && step.state != step_state::awaiting_approval)) {
    x.state = state;
    if (asks)
      step.state = step_state::awaiting_approval;
    transition(self, x, asks ? step_name(step) + " waits for a human's approval"
                             : "gating " + step_name(step));
  }
  auto id = x.id;
  auto key = step.idempotency_key;
  auto timeout = seconds(st.policy->config().approval_timeout_s) + st.settings.margin;
  st.busy.insert(id);
  self->request(safety, timeout, gate_atom::value, x, step)
    .then(
      [self, id, key](const plan_step& answer) {
        succeeded(self, id);
        auto* x = find(self, id);
        auto* s = x ? step_by_key(*x, key) : nullptr;
        if (!s || (s->state != step_state::planned && s->state != step_state::awaiting_approval)
            || closed(*x))
          return;
        s->approval_id = answer.approval_id;
        s->approval_wait_ms = answer.approval_wait_ms;
        int64_t wait = 0;
        for (auto& p : x->plan)
          wait += p.approval_wait_ms;
        x->approval_wait_ms = wait;
        if (answer.state != step_state::approved) {
          bool human = answer.state == step_state::rejected || answer.state == step_state::expired;
          s->state = human ? answer.state : step_state::refused;
          s->result = answer.result;
          s->finished_unix_ms = now_unix_ms();
          if (self->state.recovered.erase(id) > 0 && answer.state == step_state::rejected) {
            close(self, *x, incident_state::resolved,
                  "recovered without " + step_name(*s)
                    + ": its services were healthy again before anyone decided; approval withdrawn");
            return;
          }
          escalate(self, *x, step_name(*s) + " " + to_string(s->state) + ": " + answer.result);
          return;
        }
        s->approved_by = answer.approved_by;
        s->state = step_state::approved;
        x->state = incident_state::acting;
        if (self->state.paused) {
          transition(self, *x, step_name(*s) + " approved by " + s->approved_by
                                 + "; paused, not acting");
          return;
        }
        start(self, *x, *s);
      },
      [self, id](const caf::error& err) {
        failed(self, id, "the safety gate failed: " + render(self, err));
      });
}

/// Perception saw the incident's services healthy for its quiet time. A step
/// that still waits for a human has nothing left to fix: its approval is
/// withdrawn (rejected as "vigil:perception"), and the rejection coming back
/// through gate() resolves the incident instead of escalating it.
void problem_over(coordinator_ptr self, const std::string& id) {
  auto* x = find(self, id);
  auto* step = x && !closed(*x) && x->state == incident_state::awaiting_approval ? current_step(*x) : nullptr;
  if (!step || step->state != step_state::awaiting_approval)
    return;
  auto safety = local<safety_actor>(self, actor_paths::safety);
  if (!safety)
    return; // the approval's own expiry still ends it
  auto& st = self->state;
  self->request(safety, st.settings.margin, approvals_atom::value, true)
    .then([self, id, safety](const std::vector<approval>& pending) {
      for (auto& a : pending) {
        if (a.incident != id || a.state != approval_state::pending)
          continue;
        self->state.recovered.insert(id);
        spdlog::info("incidents: {} recovered while {} waited for a human; withdrawing {}", id,
                     a.tool, a.id);
        self->request(safety, self->state.settings.margin, decide_atom::value, a.id, false,
                      std::string{"vigil:perception"},
                      std::string{"the problem ended before anyone decided"})
          .then([](const approval&) {},
                [self, id](const caf::error&) {
                  // Decided meanwhile by a human: that decision stands.
                  self->state.recovered.erase(id);
                });
      }
    },
    [](const caf::error&) {
      // The approval's own expiry still ends it.
    });
}

void drive_step(coordinator_ptr self, incident& x) {
  auto* step = current_step(x);
  if (!step) {
    escalate(self, x, "the plan has no step left to run");
    return;
  }
  if (step->state == step_state::done) {
    if (x.state != incident_state::verifying) {
      x.state = incident_state::verifying;
      save(self, x);
    }
    verify(self, x, *step);
    return;
  }
  if (self->state.paused) {
    if (self->state.waiting_why[x.id] != "paused") {
      self->state.waiting_why[x.id] = "paused";
      spdlog::info("incidents: {} waits before {}: the agents are paused", x.id,
                   step_name(*step));
    }
    return;
  }
  if (step->state == step_state::running) {
    act(self, x, *step);
    return;
  }
  if (step->state == step_state::approved) {
    start(self, x, *step);
    return;
  }
  gate(self, x, *step); // planned or awaiting_approval
}

void advance(coordinator_ptr self, const std::string& id) {
  auto* x = find(self, id);
  if (!x || closed(*x) || self->state.busy.count(id) != 0)
    return;
  if (x->state == incident_state::open) {
    x->state = incident_state::diagnosing;
    transition(self, *x, "diagnosing");
    narrate(self, id, false);
  }
  if (x->state == incident_state::diagnosing)
    diagnose(self, *x);
  else if (x->state == incident_state::planning)
    plan(self, *x);
  else
    drive_step(self, *x);
}

/// The baseline of `services`: what each looked like while healthy.
void add_baseline(coordinator_ptr self, incident& x) {
  auto doc = json::parse(x.baseline, nullptr, false);
  if (!doc.is_object())
    doc = json::object();
  if (!doc.contains("taken_unix_ms"))
    doc["taken_unix_ms"] = now_unix_ms();
  auto& services = doc["services"];
  if (!services.is_object())
    services = json::object();
  for (auto& svc : x.services) {
    auto i = self->state.last_good.find(svc);
    if (i != self->state.last_good.end() && !services.contains(svc))
      services[svc] = i->second;
  }
  x.baseline = doc.dump();
}

/// Remembers each healthy service's SLIs, unless an incident has it.
void sample_baseline(coordinator_ptr self) {
  auto board = local<status_board_actor>(self, actor_paths::status);
  if (!board)
    return;
  self->request(board, self->state.settings.tick, status_atom::value)
    .then(
      [self](const std::vector<service_health>& health) {
        std::set<std::string> in_incident;
        for (auto& [id, x] : self->state.incidents)
          if (!closed(x))
            in_incident.insert(x.services.begin(), x.services.end());
        auto now = now_unix_ms();
        for (auto& h : health) {
          if (h.health != "ok" || in_incident.count(h.service) != 0)
            continue;
          json entry{{"health", h.health}, {"at_unix_ms", now}};
          if (!h.sli.service.empty() && h.sli.requests > 0) {
            entry["success_ratio"] = h.sli.success_ratio;
            entry["p95_ms"] = h.sli.p95_ms;
          }
          self->state.last_good[h.service] = std::move(entry);
        }
      },
      [](const caf::error&) {
        // The board may be restarting; the next tick asks again.
      });
}

/// Open incidents from the ops store, once; false while it is down.
bool load(coordinator_ptr self) {
  auto& st = self->state;
  if (st.loaded)
    return true;
  if (!st.store) {
    st.loaded = true;
    return true;
  }
  try {
    auto open = st.store->list(true, 1000);
    if (auto paused = st.store->setting("paused"))
      st.paused = *paused == "true";
    st.loaded = true;
    st.last_store_error.clear();
    for (auto& x : open)
      if (st.incidents.count(x.id) == 0)
        st.incidents.emplace(x.id, x);
    spdlog::info("incidents: resuming {} open incidents from the ops store{}", open.size(),
                 st.paused ? " (paused: not acting)" : "");
    for (auto& x : open)
      advance(self, x.id);
    return true;
  } catch (const incident_store_error& e) {
    if (st.last_store_error != e.what())
      spdlog::warn("incidents: cannot read open incidents yet: {}", e.what());
    st.last_store_error = e.what();
    return false;
  }
}

void forget_old(coordinator_ptr self) {
  auto& st = self->state;
  std::vector<std::pair<int64_t, std::string>> done;
  for (auto& [id, x] : st.incidents)
    if (closed(x) && st.unsaved.count(id) == 0)
      done.emplace_back(x.closed_unix_ms, id);
  if (done.size() <= st.settings.keep_closed)
    return;
  std::sort(done.begin(), done.end());
  for (size_t i = 0; i + st.settings.keep_closed < done.size(); ++i)
    st.incidents.erase(done[i].second);
}

/// The open incident a new problem belongs to, if any.
incident* merge_target(coordinator_ptr self, const incident& problem, int64_t now) {
  auto window = duration_cast<milliseconds>(self->state.settings.merge_window).count();
  incident* best = nullptr;
  for (auto& [id, x] : self->state.incidents) {
    if (closed(x))
      continue;
    bool shares = std::any_of(problem.services.begin(), problem.services.end(), [&](auto& s) {
      return std::find(x.services.begin(), x.services.end(), s) != x.services.end();
    });
    // A cascade arrives within the window; perception re-sending a grown
    // problem keeps its start. The same service failing again much later is
    // a new incident, even while an old one still waits (for a human).
    bool cascade = now - x.opened_unix_ms <= window;
    bool same_problem = shares && problem.started_unix_ms - x.opened_unix_ms <= window;
    if (cascade || same_problem)
      if (!best || x.opened_unix_ms > best->opened_unix_ms)
        best = &x;
  }
  return best;
}

std::string title_of(const incident& problem) {
  if (!problem.title.empty())
    return problem.title;
  std::string services;
  for (auto& s : problem.services)
    services += (services.empty() ? "" : ", ") + s;
  auto symptom = problem.symptoms.empty() ? std::string{"problem detected"}
                                          : problem.symptoms.front();
  return services.empty() ? symptom : services + ": " + symptom;
}

std::string new_id(coordinator_ptr self) {
  return "inc-" + std::to_string(now_unix_ms()) + "-"
         + std::to_string(++self->state.next_number);
}

caf::result<std::string> open(coordinator_ptr self, const incident& problem) {
  auto& st = self->state;
  if (problem.services.empty() && problem.symptoms.empty())
    return caf::make_error(incident_error::bad_request,
                           "an incident needs affected services or symptoms");
  load(self);
  auto now = now_unix_ms();
  if (auto* x = merge_target(self, problem, now)) {
    auto services = x->services.size();
    auto symptoms = x->symptoms.size();
    add_unique(x->services, problem.services);
    add_unique(x->symptoms, problem.symptoms);
    if (problem.started_unix_ms != 0
        && (x->started_unix_ms == 0 || problem.started_unix_ms < x->started_unix_ms))
      x->started_unix_ms = problem.started_unix_ms;
    if (x->services.size() != services || x->symptoms.size() != symptoms) {
      add_baseline(self, *x);
      transition(self, *x, "merged a related problem: " + title_of(problem));
    }
    return x->id;
  }
  incident x;
  x.id = new_id(self);
  x.state = incident_state::open;
  x.title = title_of(problem);
  x.services = problem.services;
  x.symptoms = problem.symptoms;
  x.started_unix_ms = problem.started_unix_ms != 0 ? problem.started_unix_ms : now;
  x.opened_unix_ms = now;
  add_baseline(self, x);
  auto id = x.id;
  auto& stored = st.incidents.emplace(id, std::move(x)).first->second;
  transition(self, stored, "opened: " + stored.title, "warning");
  forget_old(self);
  advance(self, id);
  return id;
}

std::vector<incident> list(coordinator_ptr self, bool open_only, uint32_t limit) {
  auto& st = self->state;
  limit = limit == 0 ? 50 : std::min<uint32_t>(limit, 1000);
  std::vector<incident> result;
  if (st.store) {
    try {
      result = st.store->list(open_only, limit);
    } catch (const incident_store_error& e) {
      spdlog::warn("incidents: listing from memory, the ops store failed: {}", e.what());
    }
  }
  // Memory has the newest version of each (and those the store missed).
  for (auto& x : result)
    if (auto* mine = find(self, x.id))
      x = *mine;
  for (auto& [id, x] : st.incidents) {
    if (open_only && closed(x))
      continue;
    if (std::none_of(result.begin(), result.end(), [&](auto& y) { return y.id == id; }))
      result.push_back(x);
  }
  if (open_only)
    result.erase(std::remove_if(result.begin(), result.end(), [](auto& x) { return closed(x); }),
                 result.end());
  std::sort(result.begin(), result.end(), [](const incident& a, const incident& b) {
    return std::tie(a.opened_unix_ms, a.id) > std::tie(b.opened_unix_ms, b.id);
  });
  if (result.size() > limit)
    result.resize(limit);
  return result;
}

coordinator_impl::behavior_type coordinator_behavior(coordinator_ptr self, agents_context ctx,
                                                     coordinator_settings settings) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.settings = settings;
  st.verifier = parse_verifier_settings(st.ctx.config.settings("verifier"));
  st.policy = std::make_unique<policy::guard>(st.ctx.config.policy);
  auto& diagnosis = st.ctx.config.settings("diagnosis");
  if (diagnosis.is_object())
    st.min_confidence = diagnosis.value("min_confidence", st.min_confidence);
  if (!st.ctx.ops_dsn.empty())
    st.store = std::make_unique<incident_store>(st.ctx.ops_dsn);
  load(self);
  self->send(self, tick_atom::value);
  return {
    [self](incidents_atom, bool open_only, uint32_t limit) {
      return list(self, open_only, limit);
    },
    [self](incident_atom, const std::string& id) -> caf::result<incident> {
      if (auto* x = find(self, id))
        return *x;
      if (self->state.store) {
        try {
          if (auto x = self->state.store->get(id))
            return *x;
        } catch (const incident_store_error& e) {
          return caf::make_error(incident_error::store_unavailable, e.what());
        }
      }
      return caf::make_error(incident_error::unknown_incident, "no incident '" + id + "'");
    },
    [self](open_atom, const incident& problem) { return open(self, problem); },
    [self](over_atom, const std::string& id) { problem_over(self, id); },
    [self](pause_atom, bool pause) {
      auto& st = self->state;
      if (st.paused != pause) {
        st.paused = pause;
        spdlog::warn("incidents: agents {}", pause ? "paused: detecting, not acting"
                                                   : "resumed: acting again");
        if (st.store) {
          try {
            st.store->set_setting("paused", pause ? "true" : "false");
          } catch (const incident_store_error& e) {
            spdlog::warn("incidents: cannot keep the pause in the ops store: {}", e.what());
          }
        }
        if (!pause) {
          std::vector<std::string> open;
          for (auto& [id, x] : st.incidents)
            if (!closed(x)) {
              open.push_back(id);
              st.waiting_why.erase(id);
            }
          for (auto& id : open)
            advance(self, id);
        }
      }
      return st.paused;
    },
    [self](advance_atom, const std::string& id) { advance(self, id); },
    [self](tick_atom) {
      auto& st = self->state;
      load(self);
      auto unsaved = st.unsaved;
      for (auto& id : unsaved)
        if (auto* x = find(self, id))
          save(self, *x);
      sample_baseline(self);
      self->delayed_send(self, st.settings.tick, tick_atom::value);
    },
  };
}

} // namespace

incidents_actor spawn_coordinator(caf::actor_system& sys, const agents_context& ctx,
                                  coordinator_settings settings) {
  // Detached: every transition is a blocking write to the ops store.
  return sys.spawn<caf::detached>(coordinator_behavior, ctx, settings);
}

supervision::child_spec coordinator_child(const agents_context& ctx) {
  supervision::child_spec spec;
  spec.id = "incidents";
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_coordinator(sup->home_system(), ctx));
  };
  return spec;
}

} // namespace vigil::agents
