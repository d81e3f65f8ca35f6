#include "actors/agents/independent_causes.hpp"

#include <algorithm>

#include "actors/agents/confirmation.hpp"

namespace vigil::agents {

namespace {

/// A cause that could act on a component of its own.
bool acts_on_component(const hypothesis& h, double min_confidence) {
  return could_act(h, min_confidence) && !h.component.empty();
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
  if (ranked.empty() || !acts_on_component(ranked.front(), min_confidence))
    return out;
  for (size_t i = 1; i < ranked.size() && out.size() < max_extra; ++i) {
    auto& h = ranked[i];
    if (!acts_on_component(h, min_confidence) || related(h, ranked.front()))
      continue;
    if (std::any_of(out.begin(), out.end(), [&](size_t j) { return related(h, ranked[j]); }))
      continue;
    out.push_back(i);
  }
  return out;
}

} // namespace vigil::agents
