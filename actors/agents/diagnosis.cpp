#include "actors/agents/diagnosis.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/agents/confirmation.hpp"
#include "actors/agents/role_lookup.hpp"
#include "actors/agents/runbook_book.hpp"
#include "actors/agents/signal_table.hpp"
#include "messages/observability.hpp"
#include "messages/unix_time.hpp"

namespace vigil::agents {

namespace {

constexpr auto ask_timeout = std::chrono::seconds(3);
constexpr auto rescan_after = std::chrono::seconds(10);
/// A fresh check is one probe run: its own timeout, plus a queue of at most one check.
constexpr auto confirm_timeout = std::chrono::seconds(5);

struct diagnosis_state {
  static inline const char* name = "vigil.diagnosis";
  agents_context ctx;
  diagnosis_settings settings;
  runbook_book book;
  std::chrono::steady_clock::time_point loaded;
  /// The probes behind each group of probe signals, as last gathered: what a
  /// confirmation that names no probe checks (also when checked again).
  probe_groups groups;
};

using diagnosis_ptr = diagnosis_actor::stateful_pointer<diagnosis_state>;

/// Evidence arriving from several places; the last reply scores.
struct gathering {
  incident inc;
  signal_table signals;
  std::vector<probe_result> probes;
  std::map<std::string, std::vector<metric_sample>> metrics;
  std::map<std::string, double> retrieval;
  std::vector<std::string> gaps; ///< Evidence that could not be had, in words.
  probe_manager_actor manager;    ///< Where fresh checks are asked for; may be null.
  std::vector<hypothesis> ranked; ///< Scored, before the fresh checks.
  std::map<std::string, fresh_check> fresh;
  int pending = 0;
  caf::typed_response_promise<std::vector<hypothesis>> promise;
};

const runbook_book& fresh_book(diagnosis_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (st.book.runbooks.empty() || now - st.loaded > rescan_after) {
    st.book = load_runbook_book(st.ctx.knowledge_folders);
    st.loaded = now;
    for (auto& e : st.book.errors)
      spdlog::warn("diagnosis: skipped {}", e);
  }
  return st.book;
}

void confirm(diagnosis_ptr self, std::shared_ptr<gathering> g);

void finish(diagnosis_ptr self, std::shared_ptr<gathering> g) {
  if (--g->pending > 0)
    return;
  auto now = now_unix_ms();
  // The probe manager's results are fresher than the bus's: they overlay.
  for (auto& r : g->probes)
    g->signals.observe(r, now);
  for (auto& [service, samples] : g->metrics)
    g->signals.observe(service, samples, now);
  auto& book = self->state.book;
  self->state.groups = g->signals.groups();
  auto focus = focus_services(g->inc.services, g->signals);
  auto result = rank_hypotheses(book.runbooks, g->signals, g->retrieval, self->state.settings,
                                focus);
  for (auto& gap : g->gaps)
    result.front().evidence_against.push_back("evidence missing: " + gap);
  g->ranked = std::move(result);
  confirm(self, g);
}

void deliver(diagnosis_ptr self, std::shared_ptr<gathering> g) {
  auto result = apply_confirmations(std::move(g->ranked), self->state.book, g->fresh,
                                    self->state.settings, now_unix_ms(), self->state.groups);
  spdlog::info("diagnosis: {} -> {} ({:.0f}%){}", g->inc.id.empty() ? "(no id)" : g->inc.id,
               result.front().root_cause, result.front().confidence * 100,
               g->fresh.empty() ? "" : ", " + std::to_string(g->fresh.size()) + " probes checked now");
  g->promise.deliver(std::move(result));
}

using fresh_checks = std::map<std::string, fresh_check>;

/// `probes` checked now through `manager`, then `then` with what each gave.
void check_now(diagnosis_ptr self, probe_manager_actor manager, const std::set<std::string>& probes,
               std::function<void(fresh_checks)> then) {
  auto fresh = std::make_shared<fresh_checks>();
  if (probes.empty() || !manager) {
    for (auto& p : probes)
      (*fresh)[p].failure = "the probe manager is not reachable";
    then(std::move(*fresh));
    return;
  }
  auto left = std::make_shared<size_t>(probes.size());
  auto done = [fresh, left, then] {
    if (--*left == 0)
      then(std::move(*fresh));
  };
  for (auto& name : probes)
    self->request(manager, confirm_timeout, probe_now_atom::value, name)
      .then(
        [fresh, name, done](probe_result& r) {
          (*fresh)[name].result = std::move(r);
          done();
        },
        [self, fresh, name, done](caf::error& err) {
          (*fresh)[name].failure = self->system().render(err);
          done();
        });
}

/// The probes the causes that could act name, checked now; then delivers.
void confirm(diagnosis_ptr self, std::shared_ptr<gathering> g) {
  auto probes = probes_to_confirm(g->ranked, self->state.book, self->state.settings,
                                  self->state.groups);
  check_now(self, g->manager, probes, [self, g](fresh_checks fresh) {
    g->fresh = std::move(fresh);
    deliver(self, g);
  });
}

/// One hypothesis' checks made again now (before its first step runs).
caf::typed_response_promise<hypothesis> reconfirm(diagnosis_ptr self, const hypothesis& h) {
  auto rp = self->make_response_promise<hypothesis>();
  auto probes = probes_to_confirm({h}, fresh_book(self), self->state.settings,
                                  self->state.groups);
  if (probes.empty()) {
    rp.deliver(h);
    return rp;
  }
  auto answer = [self, rp, h](fresh_checks fresh) mutable {
    auto now = apply_confirmations({h}, self->state.book, fresh, self->state.settings,
                                   now_unix_ms(), self->state.groups);
    for (auto& x : now)
      if (x.runbook == h.runbook && x.component == h.component) {
        spdlog::info("diagnosis: {} on {} checked again: {}", h.root_cause, h.component,
                     x.confidence > 0 ? "still there" : "gone");
        rp.deliver(x);
        return;
      }
    rp.deliver(h);
  };
  auto& st = self->state;
  find_by_role<probe_manager_actor>(
    self, st.ctx.registry ? st.ctx.registry() : registry_actor{}, "probe", actor_paths::probe_manager,
    [self, probes, answer](probe_manager_actor manager) { check_now(self, manager, probes, answer); },
    [self, probes, answer](const std::string&) { check_now(self, {}, probes, answer); });
  return rp;
}

/// Without symptoms (vigilctl diagnose): the details of what is not ok now,
/// of `services` only when given.
std::string symptoms_of(const std::vector<signal_value>& values,
                        const std::vector<std::string>& services) {
  std::string text;
  for (auto& v : values) {
    if (v.name.rfind("probe.", 0) != 0 || v.name.size() < 7
        || v.name.compare(v.name.size() - 7, 7, ".detail") != 0)
      continue;
    auto target = v.name.substr(6, v.name.find('.', 6) - 6);
    if (!services.empty()
        && std::find(services.begin(), services.end(), target) == services.end())
      continue;
    auto status = v.name.substr(0, v.name.size() - 7) + ".status";
    for (auto& s : values)
      if (s.name == status && s.text != "ok")
        text += v.text + "\n";
  }
  return text;
}

void search(diagnosis_ptr self, std::shared_ptr<gathering> g, std::string text) {
  auto& st = self->state;
  if (text.size() > 3900)
    text.resize(3900);
  auto knowledge = caf::actor_cast<knowledge_actor>(
    st.ctx.directory->get(st.ctx.path(actor_paths::knowledge)));
  if (!knowledge || text.find_first_not_of(" \n") == std::string::npos)
    return;
  ++g->pending;
  self->request(knowledge, ask_timeout, search_atom::value, text, uint32_t{32})
    .then(
      [self, g](std::vector<knowledge_hit>& hits) {
        for (auto& h : hits)
          if (h.kind == "runbook")
            g->retrieval.emplace(h.id, h.rank);
        finish(self, g);
      },
      [self, g](caf::error& err) {
        g->gaps.push_back("knowledge search: " + to_string(err));
        finish(self, g);
      });
}

void gather(diagnosis_ptr self, std::shared_ptr<gathering> g) {
  auto& st = self->state;
  g->pending = 1; // this function's own share, released at the end
  // Perception's signal table.
  if (auto perception = caf::actor_cast<perception_actor>(
        st.ctx.directory->get(st.ctx.path(actor_paths::perception)))) {
    ++g->pending;
    self->request(perception, ask_timeout, signals_atom::value)
      .then(
        [self, g](std::vector<signal_value>& values) {
          g->signals = make_signal_table(values);
          if (g->inc.symptoms.empty())
            search(self, g, symptoms_of(values, g->inc.services));
          finish(self, g);
        },
        [self, g](caf::error& err) {
          g->gaps.push_back("perception: " + to_string(err));
          finish(self, g);
        });
  } else {
    g->gaps.push_back("perception is not running");
  }
  // The knowledge store's retrieval for the symptoms: a tie-breaker.
  if (!g->inc.symptoms.empty()) {
    std::string text;
    for (auto& s : g->inc.symptoms)
      text += s + "\n";
    search(self, g, text);
  }
  // The probe manager's latest results and the metrics the runbooks name.
  std::set<std::string> scraped;
  for (auto& r : fresh_book(self).runbooks)
    for (auto& c : r.symptoms)
      if (c.signal.rfind("metric.", 0) == 0) {
        auto service = c.signal.substr(7, c.signal.find('.', 7) - 7);
        if (service.find('*') == std::string::npos)
          scraped.insert(service);
      }
  auto registry = st.ctx.registry ? st.ctx.registry() : registry_actor{};
  ++g->pending;
  find_by_role<probe_manager_actor>(
    self, registry, "probe", actor_paths::probe_manager,
    [self, g, scraped](probe_manager_actor manager) {
      g->manager = manager;
      g->pending += static_cast<int>(scraped.size());
      self->request(manager, ask_timeout, probes_atom::value)
        .then(
          [self, g](std::vector<probe_result>& results) {
            g->probes = std::move(results);
            finish(self, g);
          },
          [self, g](caf::error& err) {
            g->gaps.push_back("probe manager: " + to_string(err));
            finish(self, g);
          });
      for (auto& service : scraped)
        self->request(manager, ask_timeout, metrics_atom::value, service)
          .then(
            [self, g, service](std::vector<metric_sample>& samples) {
              g->metrics[service] = std::move(samples);
              finish(self, g);
            },
            [self, g](caf::error&) { finish(self, g); });
    },
    [self, g](const std::string& why) {
      g->gaps.push_back("probe manager: " + why);
      finish(self, g);
    });
  finish(self, g);
}

diagnosis_actor::behavior_type diagnosis(diagnosis_ptr self, agents_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.settings = parse_diagnosis_settings(st.ctx.config.settings("diagnosis"),
                                         st.ctx.config.model);
  fresh_book(self);
  spdlog::info("diagnosis: {} runbooks from {} folders", st.book.runbooks.size(),
               st.ctx.knowledge_folders.size());
  return {
    [self](diagnose_atom, const incident& inc) -> caf::result<std::vector<hypothesis>> {
      fresh_book(self);
      auto g = std::make_shared<gathering>();
      g->inc = inc;
      g->promise = self->make_response_promise<std::vector<hypothesis>>();
      auto promise = g->promise;
      gather(self, g);
      return promise;
    },
    [self](confirm_atom, const hypothesis& h) -> caf::result<hypothesis> {
      return reconfirm(self, h);
    },
  };
}

} // namespace

diagnosis_settings parse_diagnosis_settings(const nlohmann::json& j, const service_model& model) {
  auto s = settings_from_model(model);
  if (!j.is_object())
    return s;
  s.min_confidence = j.value("min_confidence", s.min_confidence);
  s.max_hypotheses = j.value("max_hypotheses", s.max_hypotheses);
  if (j.contains("dependents") && j["dependents"].is_object())
    for (auto& [service, list] : j["dependents"].items())
      if (list.is_array())
        for (auto& d : list) {
          auto& known = s.dependents[service];
          if (d.is_string() && std::count(known.begin(), known.end(), d.get<std::string>()) == 0)
            known.push_back(d.get<std::string>());
        }
  return s;
}

supervision::child_spec diagnosis_child(agents_context ctx) {
  supervision::child_spec spec;
  spec.id = "diagnosis";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(sup->home_system().spawn(diagnosis, ctx));
  };
  return spec;
}

} // namespace vigil::agents
