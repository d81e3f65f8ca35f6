// Parsing and applying pricingd's runtime mode.
#include "stack/pricingd/pricing_mode.hpp"

#include <cmath>

namespace vigil::pricing {

namespace {

void allow_only(const nlohmann::json& body, std::initializer_list<const char*> fields,
                const std::string& mode) {
  for (auto& [key, value] : body.items()) {
    bool known = false;
    for (auto field : fields)
      known = known || key == field;
    if (!known)
      throw mode_error("field '" + key + "' does not apply to mode '" + mode + "'");
  }
}

} // namespace

pricing_mode parse_mode(const nlohmann::json& body) {
  if (!body.is_object())
    throw mode_error("expected a JSON object like {\"mode\":\"ok\"}");
  auto name = body.find("mode");
  if (name == body.end() || !name->is_string())
    throw mode_error("field 'mode' missing: expected \"ok\", \"error\", \"skew\" or \"slow\"");
  auto text = name->get<std::string>();
  pricing_mode mode;
  if (text == "ok" || text == "error") {
    allow_only(body, {"mode"}, text);
    mode.current = text == "ok" ? pricing_mode::kind::ok : pricing_mode::kind::error;
  } else if (text == "skew") {
    allow_only(body, {"mode", "factor"}, text);
    auto factor = body.find("factor");
    if (factor == body.end() || !factor->is_number())
      throw mode_error("mode 'skew' needs a number 'factor' in (0, 1000]");
    mode.factor = factor->get<double>();
    if (!(mode.factor > 0.0 && mode.factor <= max_skew_factor))
      throw mode_error("'factor' must be in (0, 1000], got " + factor->dump());
    mode.current = pricing_mode::kind::skew;
  } else if (text == "slow") {
    allow_only(body, {"mode", "delay_ms"}, text);
    auto delay = body.find("delay_ms");
    if (delay == body.end() || !delay->is_number_integer())
      throw mode_error("mode 'slow' needs an integer 'delay_ms' in [0, 60000]");
    mode.delay_ms = delay->get<int64_t>();
    if (mode.delay_ms < 0 || mode.delay_ms > max_delay_ms)
      throw mode_error("'delay_ms' must be in [0, 60000], got " + delay->dump());
    mode.current = pricing_mode::kind::slow;
  } else {
    throw mode_error("unknown mode '" + text + "': expected ok, error, skew or slow");
  }
  return mode;
}

nlohmann::json to_json(const pricing_mode& mode) {
  switch (mode.current) {
    case pricing_mode::kind::ok:
      return {{"mode", "ok"}};
    case pricing_mode::kind::error:
      return {{"mode", "error"}};
    case pricing_mode::kind::skew:
      return {{"mode", "skew"}, {"factor", mode.factor}};
    case pricing_mode::kind::slow:
      return {{"mode", "slow"}, {"delay_ms", mode.delay_ms}};
  }
  return {{"mode", "ok"}};
}

int64_t served_price(const pricing_mode& mode, int64_t list_cents) {
  if (mode.current != pricing_mode::kind::skew)
    return list_cents;
  return static_cast<int64_t>(std::llround(static_cast<double>(list_cents) * mode.factor));
}

} // namespace vigil::pricing
