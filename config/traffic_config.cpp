#include "config/traffic_config.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_config.hpp"

namespace vigil {

namespace {

using json = nlohmann::json;
using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

double get_number(const json& j, const std::string& origin, const std::string& field, double min,
                  double max) {
  auto range = "expected a number in " + json(min).dump() + ".." + json(max).dump() + ", got "
               + j.dump();
  if (!j.is_number())
    fail(origin, field, range);
  auto value = j.get<double>();
  if (!(value >= min && value <= max))
    fail(origin, field, range);
  return value;
}

} // namespace

traffic_config parse_traffic_config(const std::string& text, const std::string& origin) {
  auto doc = config_fields::parse_object(text, origin);
  traffic_config result;
  auto member = doc.find("traffic");
  if (member == doc.end())
    return result;
  if (!member->is_object())
    fail(origin, "traffic", "expected an object with enabled, service, base_url, rate_per_s, "
                            "order_ratio, workers, window_ms, timeout_ms, acked_file");
  static const std::set<std::string> fields{"enabled",     "service", "base_url",
                                            "rate_per_s",  "order_ratio", "workers",
                                            "window_ms",   "timeout_ms", "acked_file"};
  result.enabled = true;
  for (auto& [key, value] : member->items()) {
    auto name = "traffic." + key;
    if (fields.count(key) == 0)
      fail(origin, name, "unknown field (known: enabled, service, base_url, rate_per_s, "
                         "order_ratio, workers, window_ms, timeout_ms, acked_file)");
    if (key == "enabled") {
      if (!value.is_boolean())
        fail(origin, name, "expected true or false, got " + value.dump());
      result.enabled = value.get<bool>();
    } else if (key == "service") {
      result.service = get_string(value, origin, name);
      if (result.service.empty())
        fail(origin, name, "must not be empty");
    } else if (key == "base_url") {
      result.base_url = get_string(value, origin, name);
      if (result.base_url.rfind("http://", 0) != 0 || result.base_url.size() <= 7)
        fail(origin, name, "expected http://HOST:PORT, got " + value.dump());
      while (result.base_url.back() == '/')
        result.base_url.pop_back();
    } else if (key == "rate_per_s") {
      result.rate_per_s = get_number(value, origin, name, 0.1, 1000);
    } else if (key == "order_ratio") {
      result.order_ratio = get_number(value, origin, name, 0, 1);
    } else if (key == "workers") {
      result.workers = static_cast<uint32_t>(get_uint(value, origin, name, 1, 64));
    } else if (key == "window_ms") {
      result.window_ms = static_cast<uint32_t>(get_uint(value, origin, name, 100, 3600000));
    } else if (key == "timeout_ms") {
      result.timeout_ms = static_cast<uint32_t>(get_uint(value, origin, name, 10, 600000));
    } else if (key == "acked_file") {
      auto path = std::filesystem::path{get_string(value, origin, name)};
      if (path.empty())
        fail(origin, name, "must not be empty (leave the field out instead)");
      if (path.is_relative())
        path = std::filesystem::path{origin}.parent_path() / path;
      result.acked_file = path.lexically_normal().string();
    }
  }
  return result;
}

traffic_config load_traffic_config(const std::string& path) {
  auto text = config_fields::read_config_file(path);
  return parse_traffic_config(text, path);
}

} // namespace vigil
