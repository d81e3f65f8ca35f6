// Parameter validation for every fault: unknown names, wrong types and values
// out of bounds are refused before anything is injected.
#include <cmath>

#include "chaos/fault.hpp"

namespace vigil::chaos {

using json = nlohmann::json;

fault_param int_param(std::string name, double min, double max, double def, std::string help) {
  fault_param p;
  p.name = std::move(name);
  p.type = "int";
  p.min = min;
  p.max = max;
  p.default_value = std::to_string(static_cast<long long>(def));
  p.help = std::move(help);
  return p;
}

fault_param choice_param(std::string name, std::vector<std::string> choices, std::string def,
                         std::string help) {
  fault_param p;
  p.name = std::move(name);
  p.type = "choice";
  p.choices = std::move(choices);
  p.default_value = std::move(def);
  p.help = std::move(help);
  return p;
}

fault_param string_param(std::string name, std::string def, std::string help) {
  fault_param p;
  p.name = std::move(name);
  p.type = "string";
  p.default_value = std::move(def);
  p.help = std::move(help);
  return p;
}

namespace {

json parse_value(const fault_param& p, const json& value) {
  auto where = "parameter '" + p.name + "'";
  if (p.type == "int") {
    double number = 0;
    if (value.is_number())
      number = value.get<double>();
    else if (value.is_string()) {
      try {
        size_t used = 0;
        number = std::stod(value.get<std::string>(), &used);
        if (used != value.get<std::string>().size())
          throw std::invalid_argument("trailing text");
      } catch (const std::exception&) {
        throw fault_error(where + ": expected an integer, got " + value.dump());
      }
    } else {
      throw fault_error(where + ": expected an integer, got " + value.dump());
    }
    if (std::floor(number) != number)
      throw fault_error(where + ": expected an integer, got " + value.dump());
    if (number < p.min || number > p.max)
      throw fault_error(where + ": " + value.dump() + " is out of bounds "
                        + std::to_string(static_cast<long long>(p.min)) + ".."
                        + std::to_string(static_cast<long long>(p.max)));
    return static_cast<long long>(number);
  }
  if (!value.is_string())
    throw fault_error(where + ": expected a string, got " + value.dump());
  auto text = value.get<std::string>();
  if (p.type == "choice") {
    for (auto& c : p.choices)
      if (c == text)
        return text;
    std::string all;
    for (auto& c : p.choices)
      all += (all.empty() ? "" : ", ") + c;
    throw fault_error(where + ": '" + text + "' is not one of " + all);
  }
  if (text.size() > 256)
    throw fault_error(where + ": longer than 256 characters");
  return text;
}

} // namespace

json validate_params(const fault_kind& kind, const std::string& params_json) {
  json given;
  try {
    given = params_json.empty() ? json::object() : json::parse(params_json);
  } catch (const json::parse_error& e) {
    throw fault_error(std::string{"parameters are not valid JSON: "} + e.what());
  }
  if (!given.is_object())
    throw fault_error("parameters must be a JSON object, got " + given.dump());
  for (auto& [name, value] : given.items()) {
    bool known = false;
    for (auto& p : kind.params)
      known = known || p.name == name;
    if (!known) {
      std::string all;
      for (auto& p : kind.params)
        all += (all.empty() ? "" : ", ") + p.name;
      throw fault_error("unknown parameter '" + name + "' for " + kind.name
                        + (all.empty() ? " (it takes none)" : " (known: " + all + ")"));
    }
  }
  json result = json::object();
  for (auto& p : kind.params)
    result[p.name] = parse_value(p, given.contains(p.name) ? given[p.name] : json(p.default_value));
  return result;
}

} // namespace vigil::chaos
