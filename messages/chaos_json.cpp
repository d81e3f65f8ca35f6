#include "messages/chaos_json.hpp"

#include <set>
#include <stdexcept>

namespace vigil {

using json = nlohmann::json;

namespace {

json params_of(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(text) : j;
}

} // namespace

json to_json(const fault_param& x) {
  json j{{"name", x.name}, {"type", x.type}, {"default", x.default_value}, {"help", x.help}};
  if (x.type == "int" || x.type == "number") {
    j["min"] = x.min;
    j["max"] = x.max;
  }
  if (x.type == "choice")
    j["choices"] = x.choices;
  return j;
}

json to_json(const fault_kind& x) {
  json params = json::array();
  for (auto& p : x.params)
    params.push_back(to_json(p));
  json fixes = json::array();
  for (auto& f : x.fixes)
    fixes.push_back({{"tool", f.tool}, {"target", f.target}});
  return {{"name", x.name},           {"label", x.label},
          {"risk", x.risk},           {"target", x.target},
          {"description", x.description}, {"revert", x.revert},
          {"outlives", x.outlives},   {"default_duration_s", x.default_duration_s},
          {"params", params},         {"fixes", fixes}};
}

json to_json(const active_fault& x) {
  return {{"id", x.id},
          {"fault", x.fault},
          {"label", x.label},
          {"target", x.target},
          {"params", params_of(x.params_json)},
          {"requested_by", x.requested_by},
          {"injected_unix_ms", x.injected_unix_ms},
          {"expires_unix_ms", x.expires_unix_ms},
          {"detail", x.detail}};
}

json to_json(const chaos_event& x) {
  return {{"seq", x.seq},
          {"injection_id", x.injection_id},
          {"fault", x.fault},
          {"label", x.label},
          {"phase", x.phase},
          {"params", params_of(x.params_json)},
          {"requested_by", x.requested_by},
          {"unix_ms", x.unix_ms},
          {"detail", x.detail}};
}

json to_json(const chaos_schedule& x) {
  return {{"on", x.on},
          {"mean_interval_s", x.mean_interval_s},
          {"faults", x.faults},
          {"max_concurrent", x.max_concurrent},
          {"min_duration_s", x.min_duration_s},
          {"max_duration_s", x.max_duration_s},
          {"seed", x.seed}};
}

chaos_schedule schedule_from_json(const json& j, chaos_schedule s) {
  if (!j.is_object())
    throw std::invalid_argument("expected a JSON object");
  static const std::set<std::string> known{"on", "mean_interval_s", "faults", "max_concurrent",
                                           "min_duration_s", "max_duration_s", "seed"};
  for (auto& [key, value] : j.items())
    if (known.count(key) == 0)
      throw std::invalid_argument("unknown field '" + key + "'");
  auto uint_field = [&](const char* key, auto& out) {
    if (!j.contains(key))
      return;
    if (!j[key].is_number_unsigned())
      throw std::invalid_argument(std::string{"field '"} + key + "': expected a whole number");
    out = j[key].get<std::remove_reference_t<decltype(out)>>();
  };
  if (j.contains("on")) {
    if (!j["on"].is_boolean())
      throw std::invalid_argument("field 'on': expected true or false");
    s.on = j["on"].get<bool>();
  }
  if (j.contains("mean_interval_s")) {
    if (!j["mean_interval_s"].is_number())
      throw std::invalid_argument("field 'mean_interval_s': expected a number");
    s.mean_interval_s = j["mean_interval_s"].get<double>();
  }
  if (j.contains("faults")) {
    if (!j["faults"].is_array())
      throw std::invalid_argument("field 'faults': expected an array of fault names");
    s.faults.clear();
    for (auto& f : j["faults"]) {
      if (!f.is_string())
        throw std::invalid_argument("field 'faults': expected fault names");
      s.faults.push_back(f.get<std::string>());
    }
  }
  uint_field("max_concurrent", s.max_concurrent);
  uint_field("min_duration_s", s.min_duration_s);
  uint_field("max_duration_s", s.max_duration_s);
  uint_field("seed", s.seed);
  return s;
}

} // namespace vigil
