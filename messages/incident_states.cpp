#include "messages/incident_states.hpp"

#include <array>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace vigil {

namespace {

// One spelling per value, in the order of the enum.
constexpr std::array incident_state_names{"open",      "diagnosing", "planning",
                                          "awaiting_approval", "acting", "verifying",
                                          "resolved",  "escalated"};
constexpr std::array step_state_names{"planned", "awaiting_approval", "approved", "rejected",
                                      "refused", "expired",           "running",  "done",
                                      "failed",  "verified",          "not_verified",
                                      "skipped"};
constexpr std::array failure_policy_names{"next_step", "next_hypothesis", "escalate"};
constexpr std::array approval_state_names{"pending", "approved", "rejected", "expired"};
constexpr std::array risk_level_names{"low", "high"};

template <class E, size_t N>
const char* name_of(E x, const std::array<const char*, N>& names) {
  auto i = static_cast<size_t>(x);
  // A value off the list can only come from a bad peer's bytes.
  return i < N ? names[i] : "invalid";
}

template <class E, size_t N>
std::optional<E> parse(std::string_view text, const std::array<const char*, N>& names) {
  for (size_t i = 0; i < N; ++i)
    if (text == names[i])
      return static_cast<E>(i);
  return std::nullopt;
}

template <class E, size_t N>
void read(const nlohmann::json& j, E& x, const std::array<const char*, N>& names,
          const char* what) {
  auto text = j.get<std::string>();
  auto value = parse<E>(text, names);
  if (!value)
    throw std::invalid_argument(std::string{"unknown "} + what + " '" + text + "'");
  x = *value;
}

} // namespace

#define VIGIL_ENUM_TEXT(type, what)                                                          \
  std::string to_string(type x) { return name_of(x, type##_names); }                         \
  std::optional<type> parse_##type(std::string_view text) {                                 \
    return parse<type>(text, type##_names);                                                  \
  }                                                                                          \
  void to_json(nlohmann::json& j, type x) { j = to_string(x); }                              \
  void from_json(const nlohmann::json& j, type& x) { read(j, x, type##_names, what); }

VIGIL_ENUM_TEXT(incident_state, "incident state")
VIGIL_ENUM_TEXT(step_state, "step state")
VIGIL_ENUM_TEXT(failure_policy, "on_failure")
VIGIL_ENUM_TEXT(approval_state, "approval state")
VIGIL_ENUM_TEXT(risk_level, "risk")

#undef VIGIL_ENUM_TEXT

bool has_run(step_state x) {
  return x == step_state::running || x == step_state::done || x == step_state::failed
         || x == step_state::verified || x == step_state::not_verified;
}

bool is_final(step_state x) {
  return x == step_state::verified || x == step_state::not_verified || x == step_state::failed
         || x == step_state::rejected || x == step_state::refused || x == step_state::expired
         || x == step_state::skipped;
}

} // namespace vigil
