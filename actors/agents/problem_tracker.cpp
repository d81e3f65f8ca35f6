#include "actors/agents/problem_tracker.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace vigil::agents {

std::string symptom_line(const probe_result& r) {
  auto detail = r.detail.size() > 300 ? r.detail.substr(0, 300) + "..." : r.detail;
  return "probe " + r.probe + " (" + r.kind + ", " + r.target + ") " + r.status + ": " + detail;
}

namespace {

/// The symptoms of `p` now: every probe of its services that is not ok.
void note_symptoms(const probe_view& view, problem& p) {
  for (auto& [name, r] : view.latest)
    if (p.services.count(r.target) > 0 && r.status != "ok")
      p.symptoms[name] = symptom_line(r);
}

} // namespace

std::string problem_tracker::new_failure(const probe_view& view, const problem& p,
                                         int64_t now) const {
  for (auto& [name, r] : view.latest) {
    if (p.services.count(r.target) == 0 || r.status == "ok"
        || p.reported.count(name + ":" + r.status) > 0)
      continue;
    auto since = view.status_since.find(name);
    if (since != view.status_since.end()
        && now - since->second >= settings_.new_failure_after_ms)
      return name + " " + r.status;
  }
  return {};
}

std::vector<std::string> problem_tracker::update(const probe_view& view, int64_t now) {
  auto& bad = view.bad_services;
  for (auto& service : bad) {
    bool known = std::any_of(problems_.begin(), problems_.end(),
                             [&](const problem& p) { return p.services.count(service) > 0; });
    if (known)
      continue;
    // A cascade (the database, then the API behind it) is one problem.
    problem* into = nullptr;
    for (auto& p : problems_)
      if (now - p.changed_ms <= settings_.merge_window_ms)
        into = &p;
    if (into == nullptr) {
      problems_.emplace_back();
      into = &problems_.back();
      into->started_unix_ms = now;
    }
    into->services.insert(service);
    into->changed_ms = now;
    into->unsent = true;
    spdlog::info("perception: {} is bad", service);
    auto fb = view.first_bad.find(service);
    if (fb != view.first_bad.end() && fb->second > 0)
      into->started_unix_ms = std::min(into->started_unix_ms, fb->second);
  }
  std::vector<std::string> over;
  for (auto it = problems_.begin(); it != problems_.end();) {
    auto& p = *it;
    bool any_bad = std::any_of(p.services.begin(), p.services.end(),
                               [&](const std::string& s) { return bad.count(s) > 0; });
    if (any_bad) {
      if (p.quiet_since_ms != 0) {
        // Bad again after all its services were ok: its incident may be
        // closed by now (resolved, or escalated and fixed by hand), so it
        // goes to the coordinator again, which merges it into the incident
        // if that is still open and recent, or opens a new one. What it
        // showed before the quiet is over: only what fails now is said.
        p.unsent = true;
        p.started_unix_ms = now;
        p.symptoms.clear();
        spdlog::info("perception: the problem with {} is back after {} ms of quiet",
                     *p.services.begin(), now - p.quiet_since_ms);
      }
      p.quiet_since_ms = 0;
      if (p.escalated && !p.unsent)
        if (auto fresh = new_failure(view, p, now); !fresh.empty()) {
          // Escalated problems never go quiet by themselves: a new failure
          // of their services (a lock on a DB that is still missing a fix)
          // is an incident of its own, starting now, with what fails now.
          p.unsent = true;
          p.escalated = false;
          p.started_unix_ms = now;
          p.symptoms.clear();
          spdlog::info("perception: new failure in the escalated problem {}: {}",
                       p.incident_id, fresh);
        }
      note_symptoms(view, p);
      ++it;
      continue;
    }
    if (p.quiet_since_ms == 0)
      p.quiet_since_ms = now;
    if (now - p.quiet_since_ms >= settings_.quiet_ms) {
      spdlog::info("perception: problem {} is over (its services ok for {} ms)",
                   p.incident_id.empty() ? "(not opened)" : p.incident_id, settings_.quiet_ms);
      if (!p.incident_id.empty())
        over.push_back(p.incident_id);
      it = problems_.erase(it);
      continue;
    }
    ++it;
  }
  return over;
}

std::optional<std::pair<std::string, incident>>
problem_tracker::take_unsent(const probe_view& view) {
  for (auto& p : problems_) {
    if (!p.unsent || p.services.empty())
      continue;
    incident inc;
    inc.services.assign(p.services.begin(), p.services.end());
    for (auto& [probe, line] : p.symptoms)
      inc.symptoms.push_back(line);
    inc.started_unix_ms = p.started_unix_ms;
    inc.title = "Problem with " + inc.services.front()
                + (inc.services.size() > 1
                     ? " and " + std::to_string(inc.services.size() - 1) + " more"
                     : "");
    p.unsent = false;
    // Every failure of its services now is heard of with it.
    for (auto& [name, r] : view.latest)
      if (p.services.count(r.target) > 0 && r.status != "ok")
        p.reported.insert(name + ":" + r.status);
    return std::make_pair(inc.services.front(), std::move(inc));
  }
  return std::nullopt;
}

bool problem_tracker::opened(const std::string& key, const std::string& id) {
  bool news = false;
  for (auto& p : problems_)
    if (p.services.count(key) > 0) {
      news = news || p.incident_id != id;
      p.incident_id = id;
    }
  return news;
}

void problem_tracker::not_taken(const std::string& key) {
  for (auto& p : problems_)
    if (p.services.count(key) > 0)
      p.unsent = true;
}

void problem_tracker::escalated(const std::string& incident_id) {
  for (auto& p : problems_)
    if (p.incident_id == incident_id)
      p.escalated = true;
}

} // namespace vigil::agents
