// Two faults at once are two root causes. Among the ranked hypotheses, a
// later one is a cause of its own when it could act too and blames a
// component unrelated to the first's: neither depends on the other (neither
// is in the other's blast radius), so neither explains the other's symptoms.
// Such a cause is handled at once, beside the first, instead of after the
// first fix fails to verify. Plain logic, so recorded tables check it.
#pragma once

#include <cstddef>
#include <vector>

#include "messages/incidents.hpp"

namespace vigil::agents {

/// Indices (into `ranked`, after the first) of the causes independent of
/// the first and of each other, best first; at most `max_extra`.
std::vector<size_t> independent_causes(const std::vector<hypothesis>& ranked,
                                       double min_confidence, size_t max_extra = 2);

} // namespace vigil::agents
