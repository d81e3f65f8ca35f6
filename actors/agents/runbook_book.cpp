#include "actors/agents/runbook_book.hpp"

#include <algorithm>
#include <stdexcept>

#include "actors/agents/placeholders.hpp"
#include "actors/knowledge/library.hpp"

namespace vigil::agents {

namespace {

std::string value_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

condition condition_from(const nlohmann::json& j) {
  condition c;
  c.signal = j.at("signal").get<std::string>();
  c.weight = j.value("weight", 0.0);
  for (const char* op : {"is", "is_not", "contains", "above", "below", "in"}) {
    if (!j.contains(op))
      continue;
    c.op = op;
    auto& v = j.at(op);
    if (v.is_array()) {
      for (auto& x : v)
        c.any_of.push_back(value_text(x));
      continue;
    }
    c.text = value_text(v);
    if (v.is_number())
      c.number = v.get<double>();
    else if (c.op == "above" || c.op == "below")
      c.number = std::stod(c.text);
  }
  if (c.op.empty())
    throw std::invalid_argument("condition on " + c.signal + " has no comparison");
  return c;
}

} // namespace

runbook_info bind_runbook(const runbook_info& runbook, const binding& b) {
  auto bound = runbook;
  auto at = b.find("$service");
  bound.component = at == b.end() ? std::string{} : at->second;
  bound.bound_by = b;
  bound.title = fill_placeholders(bound.title, b);
  bound.escalate = fill_placeholders(bound.escalate, b);
  for (auto& s : bound.services)
    s = fill_placeholders(s, b);
  auto fill = [&b](condition& c) {
    c.signal = fill_placeholders(c.signal, b);
    c.text = fill_placeholders(c.text, b);
    for (auto& x : c.any_of)
      x = fill_placeholders(x, b);
  };
  for (auto* list : {&bound.symptoms, &bound.requires_all, &bound.rules_out})
    for (auto& c : *list)
      fill(c);
  for (auto& c : bound.confirm) {
    c.probe = fill_placeholders(c.probe, b);
    fill(c.check);
  }
  fill_placeholders(bound.steps, b);
  return bound;
}

bool unbound(const runbook_info& bound) {
  for (auto* list : {&bound.symptoms, &bound.requires_all, &bound.rules_out})
    for (auto& c : *list)
      if (has_placeholder(c.signal) || has_placeholder(c.text))
        return true;
  for (auto& c : bound.confirm)
    if (has_placeholder(c.probe) || has_placeholder(c.check.signal))
      return true;
  std::vector<std::string> missing;
  auto steps = bound.steps;
  fill_placeholders(steps, {}, &missing);
  auto& model = binding_placeholders();
  return std::any_of(missing.begin(), missing.end(),
                     [&](const std::string& name) { return model.count(name) > 0; });
}

std::optional<runbook_info> runbook_for(const runbook_book& book, const hypothesis& h) {
  auto runbook = book.find(h.runbook);
  if (runbook == nullptr)
    return std::nullopt;
  if (runbook->generic() && !h.bindings.empty())
    return bind_runbook(*runbook, h.bindings);
  if (runbook->generic() && !h.component.empty())
    return bind_runbook(*runbook, {{"$service", h.component}});
  return *runbook;
}

const runbook_info* runbook_book::find(const std::string& id) const {
  for (auto& r : runbooks)
    if (r.id == id)
      return &r;
  return nullptr;
}

runbook_info runbook_from_front_matter(const nlohmann::json& fm) {
  try {
    runbook_info r;
    r.id = fm.at("id").get<std::string>();
    r.title = fm.value("title", "");
    r.root_cause = fm.value("root_cause", "");
    if (fm.contains("services"))
      r.services = fm.at("services").get<std::vector<std::string>>();
    r.applies_to = fm.value("applies_to", "");
    for (auto& c : fm.value("symptoms", nlohmann::json::array()))
      r.symptoms.push_back(condition_from(c));
    for (auto& c : fm.value("requires", nlohmann::json::array()))
      r.requires_all.push_back(condition_from(c));
    for (auto& c : fm.value("rules_out", nlohmann::json::array()))
      r.rules_out.push_back(condition_from(c));
    for (auto& c : fm.value("confirm", nlohmann::json::array()))
      r.confirm.push_back({c.value("probe", ""), condition_from(c)});
    r.steps = fm.value("steps", nlohmann::json::array());
    // A misspelt risk must not pass for low: the word decides who approves.
    for (size_t i = 0; i < r.steps.size(); ++i)
      if (auto& step = r.steps[i]; step.is_object() && step.contains("risk")
                                   && !(step["risk"].is_string()
                                        && parse_risk_level(step["risk"].get<std::string>())))
        throw std::invalid_argument("steps[" + std::to_string(i)
                                    + "].risk: expected low or high, got " + step["risk"].dump());
    r.escalate = fm.value("escalate", "");
    return r;
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(e.what());
  }
}

runbook_book load_runbook_book(const std::vector<std::string>& folders) {
  runbook_book book;
  auto lib = knowledge::load_library(folders);
  book.errors = lib.errors;
  for (auto& entry : lib.entries) {
    if (entry.kind != "runbook")
      continue;
    try {
      book.runbooks.push_back(runbook_from_front_matter(nlohmann::json::parse(entry.meta)));
    } catch (const std::exception& e) {
      book.errors.push_back(entry.path + ": " + e.what());
    }
  }
  return book;
}

} // namespace vigil::agents
