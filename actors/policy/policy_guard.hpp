// The policy applied to one tool request: the static rules (allowed tool and
// target, auto or ask) and the moving limits (actions per window, restarts
// per service per window). The safety agent and the action plane each keep
// one, so a request is checked where it is decided and again where it runs.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "config/policy_config.hpp"

namespace vigil::policy {

/// The verdict on a step before anything runs.
struct decision {
  policy_mode mode = policy_mode::deny;
  std::string reason;       ///< Why, in words: "rotate_db_secret is high risk: ask".
};

/// A limit that stops a request now.
struct refusal {
  std::string code;         ///< not_allowed, rate_limited or restart_intensity.
  std::string reason;
};

/// Whether a tool (re)starts the service it names (restart intensity).
bool restarts_service(const std::string& tool);

class guard {
public:
  explicit guard(policy_config cfg);

  /// auto, ask or deny for this tool, risk (low/high) and args.
  decision classify(const std::string& tool, const std::string& risk,
                    const nlohmann::json& args) const;

  /// Checks the limits for running the tool now; records the run when
  /// admitted (check_only false). nullopt: admitted.
  std::optional<refusal> admit(const std::string& tool, const nlohmann::json& args,
                               int64_t now_ms, bool check_only = false);

  const policy_config& config() const { return cfg_; }

private:
  void forget_before(std::deque<int64_t>& times, int64_t cutoff);

  policy_config cfg_;
  std::deque<int64_t> actions_;                     ///< Times of admitted runs.
  std::map<std::string, std::deque<int64_t>> restarts_;  ///< Per service.
};

} // namespace vigil::policy
