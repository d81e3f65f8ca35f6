#include "supervision/restart_intensity.hpp"

namespace vigil::supervision {

bool restart_intensity::record(time_point now) {
  restarts_.push_back(now);
  // OTP keeps restarts younger than the period; one exactly `period` old is out.
  while (!restarts_.empty() && now - restarts_.front() >= period_)
    restarts_.pop_front();
  return restarts_.size() > intensity_;
}

} // namespace vigil::supervision
