// How pricingd currently answers price requests: normally, with errors, with
// skewed prices or slowly. Operators and chaos drills switch it at runtime.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace vigil::pricing {

class mode_error : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

struct pricing_mode {
  enum class kind { ok, error, skew, slow };
  kind current = kind::ok;
  double factor = 1.0;  ///< Only for skew: prices are multiplied by it.
  int64_t delay_ms = 0; ///< Only for slow: answers wait this long.
};

constexpr double max_skew_factor = 1000.0;
constexpr int64_t max_delay_ms = 60000;

/// Parses {"mode":"ok"|"error"|"skew","factor":F|"slow","delay_ms":N};
/// throws mode_error saying which field is wrong.
pricing_mode parse_mode(const nlohmann::json& body);

nlohmann::json to_json(const pricing_mode& mode);

/// The price served in `mode` for a list price (skew rounds to whole cents).
int64_t served_price(const pricing_mode& mode, int64_t list_cents);

} // namespace vigil::pricing
