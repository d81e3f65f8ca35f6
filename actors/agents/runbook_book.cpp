#include "actors/agents/runbook_book.hpp"

#include <stdexcept>

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

std::string replaced(std::string text, const std::string& service) {
  for (auto pos = text.find(service_placeholder); pos != std::string::npos;
       pos = text.find(service_placeholder, pos + service.size()))
    text.replace(pos, service_placeholder.size(), service);
  return text;
}

void replace_in(nlohmann::json& j, const std::string& service) {
  if (j.is_object() || j.is_array())
    for (auto& x : j)
      replace_in(x, service);
  else if (j.is_string())
    j = replaced(j.get<std::string>(), service);
}

} // namespace

runbook_info bind_service(const runbook_info& runbook, const std::string& service) {
  auto bound = runbook;
  bound.component = service;
  bound.title = replaced(bound.title, service);
  bound.escalate = replaced(bound.escalate, service);
  for (auto& s : bound.services)
    s = replaced(s, service);
  for (auto* list : {&bound.symptoms, &bound.requires_all, &bound.rules_out})
    for (auto& c : *list)
      c.signal = replaced(c.signal, service);
  replace_in(bound.steps, service);
  return bound;
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
    for (auto& c : fm.value("symptoms", nlohmann::json::array()))
      r.symptoms.push_back(condition_from(c));
    for (auto& c : fm.value("requires", nlohmann::json::array()))
      r.requires_all.push_back(condition_from(c));
    for (auto& c : fm.value("rules_out", nlohmann::json::array()))
      r.rules_out.push_back(condition_from(c));
    r.steps = fm.value("steps", nlohmann::json::array());
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
