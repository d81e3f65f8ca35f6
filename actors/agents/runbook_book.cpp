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
  for (const char* op : {"is", "is_not", "contains", "above", "below"}) {
    if (!j.contains(op))
      continue;
    c.op = op;
    auto& v = j.at(op);
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
