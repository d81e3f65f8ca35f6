// The safety policy (JSON, comments allowed): which tools may run on which
// targets, which run automatically and which wait for a human, and the
// limits on how often. One file, read by both sides of the gate: the
// control node's safety agent (to decide auto or ask) and the action node's
// plane (to refuse what the policy forbids, whoever asks).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil {

/// What happens to a step: run it, ask a human first, or never run it.
enum class policy_mode { automatic, ask, deny };

/// "auto", "ask", "deny".
std::string to_string(policy_mode x);

/// The policy for one tool.
struct tool_policy {
  /// Stricter of this and the risk's mode applies ("ask" for a high-risk step
  /// even if the tool says "auto").
  policy_mode mode = policy_mode::automatic;
  /// Allowed targets (the value of the tool's target argument); empty: any.
  std::vector<std::string> targets;
};

struct policy_config {
  std::map<std::string, tool_policy> tools;  ///< Tools not listed are refused.
  policy_mode low_risk = policy_mode::automatic;
  policy_mode high_risk = policy_mode::ask;
  /// At most max_actions tool runs (of any tool) per window_s.
  uint32_t max_actions = 30;
  uint32_t actions_window_s = 60;
  /// Per service, at most max_restarts restarts/starts per window_s; one
  /// more means the fix is not working: stop and escalate (a supervisor's
  /// restart intensity, applied to the stack).
  uint32_t max_restarts = 3;
  uint32_t restarts_window_s = 300;
  /// An approval nobody answers expires after this and the incident escalates.
  uint32_t approval_timeout_s = 300;
};

/// Parses policy text; errors (config_error) name `origin` and the field.
policy_config parse_policy_config(const std::string& text, const std::string& origin);
policy_config load_policy_config(const std::string& path);

} // namespace vigil
