// Delay before a child's next restart under an exponential backoff policy.
#pragma once

#include <cstdint>
#include <random>

#include "supervision/supervisor_spec.hpp"

namespace vigil::supervision {

/// Computes min(max, min * 2^streak) scaled by 1 + U[0,1) * random_factor.
caf::timespan backoff_delay(const backoff_policy& policy, uint32_t streak,
                            std::mt19937_64& rng);

} // namespace vigil::supervision
