// The chaos monkey's plan: with a seed, the same faults, delays, durations
// and blast radii every time, so a drill can be replayed.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "messages/chaos.hpp"

namespace vigil::chaos {

struct planned_injection {
  double delay_s = 0;           ///< After the previous one.
  injection_request request;    ///< With duration and randomised parameters.
};

class monkey {
public:
  /// `kinds` is the catalogue; the schedule picks among its allowed faults
  /// (every safe fault when the schedule names none).
  monkey(const chaos_schedule& schedule, const std::vector<fault_kind>& kinds);

  planned_injection next();

  /// The faults it picks from.
  const std::vector<fault_kind>& candidates() const { return candidates_; }

private:
  chaos_schedule schedule_;
  std::vector<fault_kind> candidates_;
  std::mt19937_64 rng_;
};

/// Checks a schedule against the catalogue; returns an error text or "".
std::string check_schedule(const chaos_schedule& schedule, const std::vector<fault_kind>& kinds);

} // namespace vigil::chaos
