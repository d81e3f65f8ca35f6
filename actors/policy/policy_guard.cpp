#include "actors/policy/policy_guard.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "messages/action_target.hpp"

namespace vigil::policy {

bool restarts_service(const std::string& tool) {
  return tool == "restart_service" || tool == "start_service";
}

guard::guard(policy_config cfg) : cfg_(std::move(cfg)) {
  // Nothing else: limits start empty.
}

decision guard::classify(const std::string& tool, const std::string& risk,
                         const nlohmann::json& args) const {
  auto i = cfg_.tools.find(tool);
  if (i == cfg_.tools.end())
    return {policy_mode::deny, tool + " is not an allowed tool"};
  auto target = action_target(args);
  auto& allowed = i->second.targets;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), target) == allowed.end())
    return {policy_mode::deny, tool + " may not act on '" + target + "'"};
  auto by_risk = risk == "low" ? cfg_.low_risk : cfg_.high_risk;
  // The stricter one wins: deny > ask > auto.
  auto mode = std::max(i->second.mode, by_risk);
  std::string why = mode == policy_mode::automatic ? " runs automatically"
                    : mode == policy_mode::ask     ? " needs a human's approval"
                                                   : " is denied";
  std::string from = i->second.mode >= by_risk ? " (tool policy)" : " (" + risk + " risk)";
  return {mode, tool + why + from};
}

void guard::forget_before(std::deque<int64_t>& times, int64_t cutoff) {
  while (!times.empty() && times.front() <= cutoff)
    times.pop_front();
}

std::optional<refusal> guard::admit(const std::string& tool, const nlohmann::json& args,
                                    int64_t now_ms, bool check_only) {
  forget_before(actions_, now_ms - int64_t{cfg_.actions_window_s} * 1000);
  if (actions_.size() >= cfg_.max_actions)
    return refusal{"rate_limited", std::to_string(actions_.size()) + " actions in the last "
                                     + std::to_string(cfg_.actions_window_s)
                                     + " s (limit " + std::to_string(cfg_.max_actions) + ")"};
  std::deque<int64_t>* restarts = nullptr;
  if (restarts_service(tool)) {
    auto service = action_target(args);
    restarts = &restarts_[service];
    forget_before(*restarts, now_ms - int64_t{cfg_.restarts_window_s} * 1000);
    if (restarts->size() >= cfg_.max_restarts)
      return refusal{"restart_intensity",
                     service + " was (re)started " + std::to_string(restarts->size())
                       + " times in the last " + std::to_string(cfg_.restarts_window_s)
                       + " s (limit " + std::to_string(cfg_.max_restarts)
                       + "): the restarts do not fix it"};
  }
  if (!check_only) {
    actions_.push_back(now_ms);
    if (restarts)
      restarts->push_back(now_ms);
  }
  return std::nullopt;
}

} // namespace vigil::policy
