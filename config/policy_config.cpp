#include "config/policy_config.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_config.hpp"

namespace vigil {

using json = nlohmann::json;
using namespace config_fields;

std::string to_string(policy_mode x) {
  switch (x) {
    case policy_mode::automatic: return "auto";
    case policy_mode::ask: return "ask";
    case policy_mode::deny: return "deny";
  }
  return "deny";
}

namespace {

policy_mode get_mode(const json& value, const std::string& origin, const std::string& field) {
  auto text = get_string(value, origin, field);
  if (text == "auto")
    return policy_mode::automatic;
  if (text == "ask")
    return policy_mode::ask;
  if (text == "deny")
    return policy_mode::deny;
  fail(origin, field, "expected \"auto\", \"ask\" or \"deny\", got \"" + text + "\"");
}

void check_fields(const json& object, const std::string& origin, const std::string& field,
                  const std::set<std::string>& known) {
  if (!object.is_object())
    fail(origin, field, "expected an object, got " + object.dump());
  for (auto& [key, value] : object.items())
    if (known.count(key) == 0)
      fail(origin, field.empty() ? key : field + "." + key, "unknown field");
}

} // namespace

policy_config parse_policy_config(const std::string& text, const std::string& origin) {
  auto doc = parse_object(text, origin);
  check_fields(doc, origin, "", {"tools", "risk", "rate_limit", "restart_intensity",
                                 "approval_timeout_s"});
  policy_config cfg;
  if (auto i = doc.find("tools"); i != doc.end()) {
    if (!i->is_object())
      fail(origin, "tools", "expected an object of tool name to policy");
    for (auto& [name, value] : i->items()) {
      auto field = "tools." + name;
      check_fields(value, origin, field, {"mode", "targets"});
      tool_policy tool;
      if (value.contains("mode"))
        tool.mode = get_mode(value["mode"], origin, field + ".mode");
      if (value.contains("targets")) {
        if (!value["targets"].is_array())
          fail(origin, field + ".targets", "expected an array of names");
        for (auto& target : value["targets"])
          tool.targets.push_back(get_string(target, origin, field + ".targets"));
      }
      cfg.tools.emplace(name, std::move(tool));
    }
  }
  if (auto i = doc.find("risk"); i != doc.end()) {
    check_fields(*i, origin, "risk", {"low", "high"});
    if (i->contains("low"))
      cfg.low_risk = get_mode((*i)["low"], origin, "risk.low");
    if (i->contains("high"))
      cfg.high_risk = get_mode((*i)["high"], origin, "risk.high");
    if (cfg.high_risk == policy_mode::automatic)
      fail(origin, "risk.high", "a high-risk step never runs without a human: use ask or deny");
  }
  if (auto i = doc.find("rate_limit"); i != doc.end()) {
    check_fields(*i, origin, "rate_limit", {"max_actions", "window_s"});
    if (i->contains("max_actions"))
      cfg.max_actions = get_uint((*i)["max_actions"], origin, "rate_limit.max_actions", 1, 100000);
    if (i->contains("window_s"))
      cfg.actions_window_s = get_uint((*i)["window_s"], origin, "rate_limit.window_s", 1, 86400);
  }
  if (auto i = doc.find("restart_intensity"); i != doc.end()) {
    check_fields(*i, origin, "restart_intensity", {"max_restarts", "window_s"});
    if (i->contains("max_restarts"))
      cfg.max_restarts = get_uint((*i)["max_restarts"], origin,
                                  "restart_intensity.max_restarts", 1, 1000);
    if (i->contains("window_s"))
      cfg.restarts_window_s = get_uint((*i)["window_s"], origin, "restart_intensity.window_s",
                                       1, 86400);
  }
  if (auto i = doc.find("approval_timeout_s"); i != doc.end())
    cfg.approval_timeout_s = get_uint(*i, origin, "approval_timeout_s", 1, 7 * 86400);
  return cfg;
}

policy_config load_policy_config(const std::string& path) {
  return parse_policy_config(read_config_file(path), path);
}

} // namespace vigil
