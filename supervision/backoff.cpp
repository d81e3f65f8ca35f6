#include "supervision/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace vigil::supervision {

caf::timespan backoff_delay(const backoff_policy& policy, uint32_t streak,
                            std::mt19937_64& rng) {
  using seconds = std::chrono::duration<double>;
  auto base = seconds{policy.min}.count() * std::pow(2.0, std::min(streak, 62u));
  auto capped = std::min(base, seconds{policy.max}.count());
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  auto scaled = capped * (1.0 + unit(rng) * policy.random_factor);
  return std::chrono::duration_cast<caf::timespan>(seconds{scaled});
}

} // namespace vigil::supervision
