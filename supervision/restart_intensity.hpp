// The OTP restart limit: more than `intensity` restarts within `period`.
#pragma once

#include <deque>

#include <caf/actor_clock.hpp>

namespace vigil::supervision {

class restart_intensity {
public:
  using time_point = caf::actor_clock::time_point;

  restart_intensity(size_t intensity, caf::timespan period)
    : intensity_(intensity), period_(period) {
    // nop
  }

  /// Records a restart at `now`; true when the limit is now exceeded.
  bool record(time_point now);

  size_t restarts_in_window() const { return restarts_.size(); }

private:
  size_t intensity_;
  caf::timespan period_;
  std::deque<time_point> restarts_;
};

} // namespace vigil::supervision
