#include "actors/agents/confirmation.hpp"

#include <algorithm>

#include "actors/agents/signal_table.hpp"

namespace vigil::agents {

namespace {

std::string on_component(const hypothesis& h) {
  return h.root_cause + (h.component.empty() ? "" : " on " + h.component);
}

} // namespace

bool could_act(const hypothesis& h, double min_confidence) {
  return h.root_cause != "unknown" && !h.runbook.empty() && h.confidence >= min_confidence;
}

std::set<std::string> probes_to_confirm(const std::vector<hypothesis>& ranked,
                                        const runbook_book& book,
                                        const diagnosis_settings& settings) {
  std::set<std::string> out;
  for (auto& h : ranked) {
    if (!could_act(h, settings.min_confidence))
      continue;
    if (auto r = runbook_for(book, h))
      for (auto& c : r->confirm)
        out.insert(c.probe);
  }
  return out;
}

std::vector<hypothesis> apply_confirmations(std::vector<hypothesis> ranked,
                                            const runbook_book& book,
                                            const std::map<std::string, fresh_check>& fresh,
                                            const diagnosis_settings& settings,
                                            int64_t now_unix_ms) {
  std::vector<std::string> refuted;
  for (auto& h : ranked) {
    if (!could_act(h, settings.min_confidence))
      continue;
    auto r = runbook_for(book, h);
    if (!r || r->confirm.empty())
      continue;
    for (auto& c : r->confirm) {
      auto it = fresh.find(c.probe);
      if (it == fresh.end() || !it->second.result) {
        auto why = it == fresh.end() ? std::string{"not checked"} : it->second.failure;
        h.evidence_against.push_back("could not confirm with probe " + c.probe + ": " + why);
        continue;
      }
      signal_table now;
      now.observe(*it->second.result, now_unix_ms);
      auto e = evaluate(c.check, now);
      if (e.held) {
        // The probe's own words name what was found (a pid, an error).
        auto& detail = it->second.result->detail;
        h.evidence_for.push_back("confirmed now: " + e.words
                                 + (detail.empty() ? std::string{}
                                                   : " — " + detail.substr(0, 240)));
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
