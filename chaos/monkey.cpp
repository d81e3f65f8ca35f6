#include "chaos/monkey.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vigil::chaos {

monkey::monkey(const chaos_schedule& schedule, const std::vector<fault_kind>& kinds)
  : schedule_(schedule), rng_(schedule.seed) {
  for (auto& k : kinds) {
    auto& allowed = schedule.faults;
    bool listed = std::find(allowed.begin(), allowed.end(), k.name) != allowed.end();
    // Faults that need a parameter the monkey cannot guess (a name) are
    // only scheduled when listed explicitly.
    bool needs_name = std::any_of(k.params.begin(), k.params.end(), [](const fault_param& p) {
      return p.type == "string" && p.default_value.empty();
    });
    if (allowed.empty() ? (k.risk == "safe" && !needs_name) : listed)
      candidates_.push_back(k);
  }
}

planned_injection monkey::next() {
  planned_injection p;
  std::exponential_distribution<double> gap{1.0 / std::max(0.001, schedule_.mean_interval_s)};
  p.delay_s = gap(rng_);
  if (candidates_.empty())
    return p;
  std::uniform_int_distribution<size_t> pick{0, candidates_.size() - 1};
  auto& kind = candidates_[pick(rng_)];
  std::uniform_int_distribution<uint32_t> duration{schedule_.min_duration_s,
                                                   std::max(schedule_.min_duration_s,
                                                            schedule_.max_duration_s)};
  nlohmann::json params = nlohmann::json::object();
  for (auto& param : kind.params) {
    // The blast radius: numbers drawn between the minimum and the default
    // (a default of 0 means "automatic" and is kept).
    if (param.type == "int") {
      auto def = std::stod(param.default_value);
      auto high = std::max(param.min, def > 0 ? def : param.min);
      std::uniform_int_distribution<long long> value{static_cast<long long>(param.min),
                                                     static_cast<long long>(high)};
      params[param.name] = value(rng_);
    } else if (param.type == "choice") {
      std::uniform_int_distribution<size_t> choice{0, param.choices.size() - 1};
      params[param.name] = param.choices[choice(rng_)];
    }
  }
  p.request.fault = kind.name;
  p.request.params_json = params.dump();
  p.request.duration_s = duration(rng_);
  p.request.requested_by = "scheduler";
  return p;
}

std::string check_schedule(const chaos_schedule& schedule, const std::vector<fault_kind>& kinds) {
  if (!(schedule.mean_interval_s >= 1 && schedule.mean_interval_s <= 86400))
    return "mean_interval_s must be within 1..86400";
  if (schedule.max_concurrent < 1 || schedule.max_concurrent > 32)
    return "max_concurrent must be within 1..32";
  if (schedule.min_duration_s < 1 || schedule.max_duration_s < schedule.min_duration_s
      || schedule.max_duration_s > 86400)
    return "durations must satisfy 1 <= min_duration_s <= max_duration_s <= 86400";
  for (auto& name : schedule.faults)
    if (std::none_of(kinds.begin(), kinds.end(), [&](const fault_kind& k) { return k.name == name; }))
      return "unknown fault '" + name + "' in faults";
  return "";
}

} // namespace vigil::chaos
