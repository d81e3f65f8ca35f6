#include "actors/agents/planner.hpp"

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/agents/placeholders.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;

std::string first_of_list(const std::string& list) {
  return list.substr(0, list.find(','));
}

} // namespace

std::map<std::string, std::string> placeholder_values(const incident& inc,
                                                      const signal_table& signals) {
  std::map<std::string, std::string> values;
  auto text = [&](const std::string& name) {
    auto v = signals.find(name);
    return v ? v->text : std::string{};
  };
  values["$incident"] = inc.id;
  values["$actor"] = text("vigil.tree.actor");
  auto down = first_of_list(text("vigil.node.down"));
  values["$node"] = !down.empty() ? down : text("vigil.tree.node");
  if (values["$node"].empty() && !values["$actor"].empty())
    values["$node"] = first_of_list(values["$actor"].substr(0, values["$actor"].find('/')));
  values["$service"] = inc.services.empty() ? std::string{} : inc.services.front();
  return values;
}

std::vector<plan_step> make_plan(const incident& inc, uint32_t hypothesis_index,
                                 const runbook_info* runbook, const signal_table& signals,
                                 double min_confidence) {
  std::vector<plan_step> plan;
  if (runbook == nullptr || hypothesis_index >= inc.hypotheses.size()
      || inc.hypotheses[hypothesis_index].root_cause == "unknown")
    return plan;
  bool another = false;
  for (auto i = hypothesis_index + 1; i < inc.hypotheses.size(); ++i)
    if (inc.hypotheses[i].root_cause != "unknown"
        && inc.hypotheses[i].confidence >= min_confidence)
      another = true;
  auto values = placeholder_values(inc, signals);
  auto& h = inc.hypotheses[hypothesis_index];
  if (!h.component.empty())
    values["$service"] = h.component;
  for (auto& [name, value] : h.bindings)
    values[name] = value;
  auto& steps = runbook->steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    auto& s = steps[i];
    plan_step p;
    p.index = static_cast<uint32_t>(i);
    p.tool = s.value("tool", "");
    std::vector<std::string> missing;
    auto args = s.value("args", json::object());
    fill_placeholders(args, values, &missing);
    auto rollback = s.value("rollback", json::object());
    fill_placeholders(rollback, values, &missing);
    p.args = args.dump();
    p.rollback = rollback.dump();
    p.check = s.value("check", json::object()).dump();
    // The loader accepts only low or high; absent is high.
    p.risk = parse_risk_level(s.value("risk", "high")).value_or(risk_level::high);
    p.why = s.value("why", "");
    if (!missing.empty()) {
      std::string names;
      for (auto& m : missing)
        names += (names.empty() ? "" : ", ") + m;
      p.why += (p.why.empty() ? "" : " ") + std::string{"(Could not fill "} + names
               + " from the incident's signals.)";
    }
    if (i + 1 < steps.size())
      p.on_failure = failure_policy::next_step;
    else
      p.on_failure = another ? failure_policy::next_hypothesis : failure_policy::escalate;
    p.idempotency_key = inc.id + "/h" + std::to_string(hypothesis_index) + "/s"
                        + std::to_string(i);
    plan.push_back(std::move(p));
  }
  return plan;
}

namespace {

constexpr auto ask_timeout = std::chrono::seconds(5);

struct planner_state {
  static inline const char* name = "vigil.planner";
  agents_context ctx;
  runbook_book book;
  std::chrono::steady_clock::time_point loaded;
  double min_confidence = 0.5;
};

using planner_ptr = planner_actor::stateful_pointer<planner_state>;

const runbook_book& fresh_book(planner_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (st.book.runbooks.empty() || now - st.loaded > std::chrono::seconds(10)) {
    st.book = load_runbook_book(st.ctx.knowledge_folders);
    st.loaded = now;
  }
  return st.book;
}

planner_actor::behavior_type planner(planner_ptr self, agents_context ctx) {
  self->state.ctx = std::move(ctx);
  auto& settings = self->state.ctx.config.settings("diagnosis");
  if (settings.is_object())
    self->state.min_confidence = settings.value("min_confidence", 0.5);
  return {
    [self](plan_atom, const incident& inc,
           const hypothesis& h) -> caf::result<std::vector<plan_step>> {
      uint32_t index = 0;
      bool found = false;
      for (uint32_t i = 0; i < inc.hypotheses.size(); ++i)
        if (inc.hypotheses[i].runbook == h.runbook && inc.hypotheses[i].root_cause == h.root_cause
            && inc.hypotheses[i].component == h.component) {
          index = i;
          found = true;
          break;
        }
      auto with = inc;
      if (!found) {
        index = static_cast<uint32_t>(with.hypotheses.size());
        with.hypotheses.push_back(h);
      }
      if (h.root_cause == "unknown" || h.runbook.empty())
        return std::vector<plan_step>{};
      auto& book = fresh_book(self);
      auto runbook = book.find(h.runbook);
      if (runbook == nullptr)
        return caf::make_error(incident_error::bad_request, "no runbook " + h.runbook);
      auto rp = self->make_response_promise<std::vector<plan_step>>();
      auto perception = caf::actor_cast<perception_actor>(
        self->state.ctx.directory->get(self->state.ctx.path(actor_paths::perception)));
      auto done = [self, rp, with, index, h](const signal_table& signals) mutable {
        auto r = runbook_for(self->state.book, h);
        auto plan = make_plan(with, index, r ? &*r : nullptr, signals, self->state.min_confidence);
        spdlog::info("planner: {} h{} ({}{}{}): {} steps", with.id, index, h.runbook,
                     h.component.empty() ? "" : " on ", h.component, plan.size());
        rp.deliver(std::move(plan));
      };
      if (!perception) {
        done(signal_table{});
        return rp;
      }
      self->request(perception, ask_timeout, signals_atom::value)
        .then([done](std::vector<signal_value>& values) mutable { done(make_signal_table(values)); },
              [done](caf::error&) mutable { done(signal_table{}); });
      return rp;
    },
  };
}

} // namespace

supervision::child_spec planner_child(agents_context ctx) {
  supervision::child_spec spec;
  spec.id = "planner";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(sup->home_system().spawn(planner, ctx));
  };
  return spec;
}

} // namespace vigil::agents
