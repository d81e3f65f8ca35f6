#include "actors/agents/confirmation.hpp"

#include <algorithm>

#include "actors/agents/signal_table.hpp"

namespace vigil::agents {

namespace {

std::string on_component(const hypothesis& h) {
  return h.root_cause + (h.component.empty() ? "" : " on " + h.component);
}

std::string names_text(const std::set<std::string>& names) {
  std::string text;
  for (auto& n : names)
    text += (text.empty() ? "" : ", ") + n;
  return text;
}

} // namespace

std::set<std::string> probes_of(const confirmation& c, const probe_groups& groups) {
  if (!c.probe.empty())
    return {c.probe};
  auto it = groups.find(probe_group_of(c.check.signal));
  return it == groups.end() ? std::set<std::string>{} : it->second;
}

bool could_act(const hypothesis& h, double min_confidence) {
  return h.root_cause != "unknown" && !h.runbook.empty() && h.confidence >= min_confidence;
}

std::set<std::string> probes_to_confirm(const std::vector<hypothesis>& ranked,
                                        const runbook_book& book,
                                        const diagnosis_settings& settings,
                                        const probe_groups& groups) {
  std::set<std::string> out;
  for (auto& h : ranked) {
    if (!could_act(h, settings.min_confidence))
      continue;
    if (auto r = runbook_for(book, h))
      for (auto& c : r->confirm)
        for (auto& name : probes_of(c, groups))
          out.insert(name);
  }
  return out;
}

std::vector<hypothesis> apply_confirmations(std::vector<hypothesis> ranked,
                                            const runbook_book& book,
                                            const std::map<std::string, fresh_check>& fresh,
                                            const diagnosis_settings& settings,
                                            int64_t now_unix_ms,
                                            const probe_groups& groups) {
  std::vector<std::string> refuted;
  for (auto& h : ranked) {
    if (!could_act(h, settings.min_confidence))
      continue;
    auto r = runbook_for(book, h);
    if (!r || r->confirm.empty())
      continue;
    for (auto& c : r->confirm) {
      auto names = probes_of(c, groups);
      if (names.empty()) {
        h.evidence_against.push_back("could not confirm " + c.check.signal
                                     + ": no probe reports it");
        continue;
      }
      // Every probe checked now, merged as perception merges them.
      signal_table now;
      std::string unchecked;
      for (auto& name : names) {
        auto it = fresh.find(name);
        if (it == fresh.end() || !it->second.result) {
          unchecked += (unchecked.empty() ? "" : "; ") + name + ": "
                       + (it == fresh.end() ? std::string{"not checked"} : it->second.failure);
          continue;
        }
        now.observe(*it->second.result, now_unix_ms);
      }
      if (!unchecked.empty()) {
        h.evidence_against.push_back("could not confirm with probe " + unchecked);
        continue;
      }
      auto e = evaluate(c.check, now);
      if (e.held) {
        // The probes' own words name what was found (a pid, an error): of
        // one probe its detail, of several those not ok, as merged.
        std::string text = fresh.at(*names.begin()).result->detail;
        if (names.size() > 1) {
          auto merged = now.find(c.check.signal.substr(0, c.check.signal.rfind('.')) + ".detail");
          text = merged != nullptr ? merged->text : std::string{};
        }
        h.evidence_for.push_back("confirmed now: " + e.words
                                 + (text.empty() ? std::string{} : " — " + text.substr(0, 240))
                                 + (names.size() > 1 ? " (checked " + names_text(names) + ")"
                                                     : std::string{}));
      } else {
        h.confidence = 0;
        h.evidence_against.push_back("not confirmed now: " + e.words);
      }
    }
    if (h.confidence <= 0)
      refuted.push_back(on_component(h));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const hypothesis& x, const hypothesis& y) {
    return x.confidence > y.confidence;
  });
  bool none_left = std::none_of(ranked.begin(), ranked.end(),
                                [&](const hypothesis& h) { return could_act(h, settings.min_confidence); });
  if (none_left && !refuted.empty()) {
    hypothesis unknown;
    unknown.root_cause = "unknown";
    unknown.title = "The checks made now confirm no cause: a human must look";
    for (auto& x : refuted)
      unknown.evidence_against.push_back("refuted now: " + x);
    ranked.insert(ranked.begin(), std::move(unknown));
  }
  return ranked;
}

} // namespace vigil::agents
