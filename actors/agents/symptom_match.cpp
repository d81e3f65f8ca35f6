#include "actors/agents/symptom_match.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace vigil::agents {

namespace {

/// '*' matches any run of characters; everything else literally.
bool glob_match(const char* pattern, const char* text) {
  if (*pattern == '\0')
    return *text == '\0';
  if (*pattern == '*')
    return glob_match(pattern + 1, text) || (*text != '\0' && glob_match(pattern, text + 1));
  return *text != '\0' && *pattern == *text && glob_match(pattern + 1, text + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool number_of(const signal_value& v, double& out) {
  if (v.numeric) {
    out = v.number;
    return true;
  }
  char* end = nullptr;
  out = std::strtod(v.text.c_str(), &end);
  return !v.text.empty() && end != nullptr && *end == '\0';
}

bool holds(const condition& c, const signal_value& v) {
  double x = 0;
  if (c.op == "is" || c.op == "is_not") {
    bool same = v.text == c.text;
    if (!same && number_of(v, x)) {
      char* end = nullptr;
      auto y = std::strtod(c.text.c_str(), &end);
      same = end != nullptr && *end == '\0' && x == y;
    }
    return c.op == "is" ? same : !same;
  }
  if (c.op == "contains")
    return lower(v.text).find(lower(c.text)) != std::string::npos;
  if (c.op == "in")
    return std::find(c.any_of.begin(), c.any_of.end(), v.text) != c.any_of.end();
  if (c.op == "above")
    return number_of(v, x) && x > c.number;
  if (c.op == "below")
    return number_of(v, x) && x < c.number;
  return false;
}

std::string shorten(const std::string& text, size_t max = 160) {
  return text.size() <= max ? text : text.substr(0, max) + "...";
}

std::string wanted(const condition& c) {
  if (c.op == "is_not")
    return "is not " + c.text;
  if (c.op == "in") {
    std::string list;
    for (auto& x : c.any_of)
      list += (list.empty() ? "" : ", ") + x;
    return "is one of " + list;
  }
  return c.op + " " + c.text;
}

std::string percent(double x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", x * 100);
  return buf;
}

std::vector<binding> bindings_for(const diagnosis_settings& settings,
                                  const std::string& component) {
  auto it = settings.bindings.find(component);
  if (it != settings.bindings.end())
    return it->second;
  return {binding{{"$service", component}}};
}

/// What a bound runbook checks and does, to tell two bindings apart.
std::string fingerprint(const runbook_info& r) {
  std::string key = r.id + '\n' + r.component + '\n' + r.steps.dump();
  for (auto* list : {&r.symptoms, &r.requires_all, &r.rules_out})
    for (auto& c : *list)
      key += '\n' + c.signal + ' ' + c.text;
  return key;
}

} // namespace

diagnosis_settings settings_from_model(const service_model& model) {
  diagnosis_settings s;
  s.dependents = model.dependents();
  s.bindings = all_bindings(model);
  return s;
}

condition_result evaluate(const condition& c, const signal_table& signals) {
  bool wildcard = c.signal.find('*') != std::string::npos;
  std::vector<signal_value> candidates;
  if (wildcard) {
    auto prefix = c.signal.substr(0, c.signal.find('*'));
    for (auto& v : signals.snapshot(prefix))
      if (glob_match(c.signal.c_str(), v.name.c_str()))
        candidates.push_back(v);
  } else if (auto v = signals.find(c.signal)) {
    candidates.push_back(*v);
  }
  if (candidates.empty())
    return {false, c.signal + " " + wanted(c) + ": not seen"};
  for (auto& v : candidates)
    if (holds(c, v))
      return {true, v.name + " " + wanted(c) + " (seen: " + shorten(v.text) + ")"};
  auto& v = candidates.front();
  return {false, v.name + " " + wanted(c) + ": seen " + shorten(v.text)};
}

std::vector<std::string> blast_radius(const std::string& service,
                                      const diagnosis_settings& settings) {
  std::vector<std::string> result;
  std::set<std::string> seen{service};
  std::vector<std::string> queue{service};
  for (size_t i = 0; i < queue.size(); ++i) {
    auto it = settings.dependents.find(queue[i]);
    if (it == settings.dependents.end())
      continue;
    for (auto& d : it->second)
      if (seen.insert(d).second) {
        result.push_back(d);
        queue.push_back(d);
      }
  }
  return result;
}

hypothesis score(const runbook_info& runbook, const signal_table& signals,
                 const diagnosis_settings& settings) {
  hypothesis h;
  h.root_cause = runbook.root_cause;
  h.runbook = runbook.id;
  h.title = runbook.title;
  double total = 0;
  double held = 0;
  for (auto& c : runbook.symptoms) {
    total += c.weight;
    auto r = evaluate(c, signals);
    if (r.held) {
      held += c.weight;
      h.evidence_for.push_back(r.words);
    } else {
      h.evidence_against.push_back(r.words);
    }
  }
  h.confidence = total > 0 ? held / total : 0;
  // What the cause cannot be without: one missing is enough.
  for (auto& c : runbook.requires_all) {
    auto r = evaluate(c, signals);
    if (!r.held) {
      h.confidence = 0;
      h.evidence_against.push_back("required: " + r.words);
    }
  }
  // Evidence that rules the cause out: one holding is enough.
  for (auto& c : runbook.rules_out) {
    auto r = evaluate(c, signals);
    if (r.held) {
      h.confidence = 0;
      h.evidence_against.push_back("ruled out: " + r.words);
    }
  }
  h.component = runbook.component;
  h.bindings = runbook.bound_by;
  if (!runbook.services.empty())
    h.blast_radius = blast_radius(runbook.services.front(), settings);
  return h;
}

std::vector<std::string> dependencies_of(const std::string& service,
                                         const diagnosis_settings& settings) {
  std::vector<std::string> result;
  std::set<std::string> seen{service};
  std::vector<std::string> queue{service};
  for (size_t i = 0; i < queue.size(); ++i)
    for (auto& [dependency, dependents] : settings.dependents)
      if (std::find(dependents.begin(), dependents.end(), queue[i]) != dependents.end()
          && seen.insert(dependency).second) {
        result.push_back(dependency);
        queue.push_back(dependency);
      }
  return result;
}

std::set<std::string> candidate_components(const signal_table& signals,
                                           const diagnosis_settings& settings,
                                           const std::set<std::string>& focus) {
  std::set<std::string> result;
  for (auto& service : focus) {
    if (service == "vigil")
      continue;
    result.insert(service);
    for (auto& d : dependencies_of(service, settings))
      result.insert(d);
  }
  if (!focus.empty())
    return result;
  // No focus: every service anyone knows of.
  for (auto& v : signals.snapshot("service.")) {
    auto n = v.name.size();
    if (n > 14 && v.name.compare(n - 6, 6, ".state") == 0)
      result.insert(v.name.substr(8, n - 14));
  }
  for (auto& [dependency, dependents] : settings.dependents) {
    result.insert(dependency);
    result.insert(dependents.begin(), dependents.end());
  }
  return result;
}

std::set<std::string> focus_services(const std::vector<std::string>& incident_services,
                                     const signal_table& signals, int64_t window_ms) {
  std::set<std::string> focus(incident_services.begin(), incident_services.end());
  if (focus.empty()) {
    std::vector<std::pair<int64_t, std::string>> bad;
    for (auto& v : signals.snapshot("service.")) {
      auto n = v.name.size();
      if (n > 7 && v.name.compare(n - 7, 7, ".health") == 0 && v.text != "ok"
          && v.text != "unknown")
        bad.emplace_back(v.at_unix_ms, v.name.substr(8, n - 15));
    }
    // A probe not ok whose service the board has not judged bad (yet, or a
    // short blip like an actor restart): its result's time counts — only
    // when no service is judged bad, since a probe's time is when it was last
    // seen, so a long-standing complaint (a busy host) would always look new.
    for (auto& v : bad.empty() ? signals.snapshot("probe.") : std::vector<signal_value>{}) {
      auto n = v.name.size();
      if (n < 8 || v.name.compare(n - 7, 7, ".status") != 0 || v.text == "ok")
        continue;
      auto target = v.name.substr(6, v.name.find('.', 6) - 6);
      auto health = signals.find("service." + target + ".health");
      if (!health || health->text == "ok")
        bad.emplace_back(v.at_unix_ms, target);
    }
    int64_t latest = 0;
    for (auto& b : bad)
      latest = std::max(latest, b.first);
    for (auto& b : bad)
      if (latest - b.first <= window_ms)
        focus.insert(b.second);
  }
  std::set<std::string> result = focus;
  for (auto& s : focus)
    if (signals.find("vigil.node." + s + ".status"))
      result.insert("vigil");
  return result;
}

std::vector<hypothesis> rank_hypotheses(const std::vector<runbook_info>& runbooks,
                                        const signal_table& signals,
                                        const std::map<std::string, double>& retrieval,
                                        const diagnosis_settings& settings,
                                        const std::set<std::string>& focus) {
  struct scored {
    hypothesis h;
    double retrieval = 0;
  };
  // A failure mode of any service is bound to each candidate component: the
  // affected services and what they depend on (localisation walks the graph).
  std::vector<runbook_info> bound;
  std::set<std::string> seen; // a binding that changes nothing (two logins, one mode) once
  auto components = candidate_components(signals, settings, focus);
  for (auto& r : runbooks) {
    if (!r.generic()) {
      bound.push_back(r);
      continue;
    }
    for (auto& c : components)
      for (auto& b : bindings_for(settings, c)) {
        auto kind = b.find("$kind");
        if (!r.applies_to.empty() && (kind == b.end() || kind->second != r.applies_to))
          continue;
        auto with = bind_runbook(r, b);
        if (!unbound(with) && seen.insert(fingerprint(with)).second)
          bound.push_back(std::move(with));
      }
  }
  std::vector<scored> all;
  for (auto& r : bound) {
    auto it = retrieval.find(r.id);
    scored s{score(r, signals, settings), it == retrieval.end() ? 0 : it->second};
    // With a focus, the candidates are the focus and what it depends on.
    bool about = focus.empty() || (!r.component.empty() && components.count(r.component) > 0);
    for (auto& service : r.services)
      about = about || focus.count(service) > 0;
    if (!about) {
      s.h.confidence *= 0.5;
      std::string names;
      for (auto& f : focus)
        names += (names.empty() ? "" : ", ") + f;
      s.h.evidence_against.push_back("about none of the affected services (" + names
                                     + "): counts half");
    }
    all.push_back(std::move(s));
  }
  // Confidences within a hair count as a tie: then retrieval decides.
  std::stable_sort(all.begin(), all.end(), [](const scored& x, const scored& y) {
    if (std::fabs(x.h.confidence - y.h.confidence) > 1e-9)
      return x.h.confidence > y.h.confidence;
    if (x.retrieval != y.retrieval)
      return x.retrieval > y.retrieval;
    if (x.h.runbook != y.h.runbook)
      return x.h.runbook < y.h.runbook;
    return x.h.component < y.h.component;
  });
  std::vector<hypothesis> result;
  if (all.empty() || all.front().h.confidence < settings.min_confidence) {
    hypothesis unknown;
    unknown.root_cause = "unknown";
    unknown.title = "No runbook's symptoms match well enough: a human must look";
    unknown.confidence = all.empty() ? 0 : all.front().h.confidence;
    for (size_t i = 0; i < all.size() && i < 3; ++i)
      if (all[i].h.confidence > 0)
        unknown.evidence_for.push_back("closest: " + all[i].h.runbook
                                       + (all[i].h.component.empty() ? "" : " on " + all[i].h.component)
                                       + " ("
                                       + all[i].h.root_cause + ") at "
                                       + percent(all[i].h.confidence));
    unknown.evidence_against.push_back("no runbook reaches the confidence threshold of "
                                       + percent(settings.min_confidence));
    result.push_back(std::move(unknown));
    return result;
  }
  for (auto& s : all) {
    if (result.size() >= settings.max_hypotheses || s.h.confidence <= 0)
      break;
    result.push_back(std::move(s.h));
  }
  return result;
}

} // namespace vigil::agents
