#include "actors/agents/independent_causes.hpp"

#include <algorithm>

namespace vigil::agents {

namespace {

bool could_act(const hypothesis& h, double min_confidence) {
  return h.root_cause != "unknown" && !h.runbook.empty() && !h.component.empty()
         && h.confidence >= min_confidence;
}

bool in(const std::vector<std::string>& list, const std::string& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

/// One may be a consequence of the other: same component, or one depends on
/// the other (directly or not).
bool related(const hypothesis& a, const hypothesis& b) {
  return a.component == b.component || in(a.blast_radius, b.component)
         || in(b.blast_radius, a.component);
}

} // namespace

std::vector<size_t> independent_causes(const std::vector<hypothesis>& ranked,
                                       double min_confidence, size_t max_extra) {
  std::vector<size_t> out;
  if (ranked.empty() || !could_act(ranked.front(), min_confidence))
    return out;
  for (size_t i = 1; i < ranked.size() && out.size() < max_extra; ++i) {
    auto& h = ranked[i];
    if (!could_act(h, min_confidence) || related(h, ranked.front()))
      continue;
    if (std::any_of(out.begin(), out.end(), [&](size_t j) { return related(h, ranked[j]); }))
      continue;
    out.push_back(i);
  }
  return out;
}

} // namespace vigil::agents
