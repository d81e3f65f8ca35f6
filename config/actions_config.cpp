#include "config/actions_config.hpp"

#include <filesystem>
#include <set>

#include "config/json_fields.hpp"
#include "config/node_config.hpp"

namespace vigil {

using json = nlohmann::json;
using namespace config_fields;
namespace fs = std::filesystem;

std::string actions_config::resolve(const std::string& path) const {
  if (path.empty() || fs::path{path}.is_absolute())
    return path;
  return (fs::path{folder} / path).lexically_normal().string();
}

const json& actions_config::settings(const std::string& tool) const {
  static const json empty = json::object();
  auto i = tools.find(tool);
  return i == tools.end() ? empty : *i;
}

actions_config parse_actions_config(const std::string& text, const std::string& origin) {
  auto doc = parse_object(text, origin);
  static const std::set<std::string> known{"policy", "api", "secrets_dir", "state_dir", "tools"};
  actions_config cfg;
  // Absolute, so a resolved path means the same to libpq (a relative
  // "host=var/pg/target" is taken for a host name) and to child processes.
  cfg.folder = fs::absolute(fs::path{origin}).parent_path().lexically_normal().string();
  for (auto& [key, value] : doc.items())
    if (known.count(key) == 0)
      fail(origin, key, "unknown field (known: policy, api, secrets_dir, state_dir, tools)");
  if (!doc.contains("policy"))
    fail(origin, "policy", "required: the policy file the plane enforces");
  cfg.policy_file = cfg.resolve(get_string(doc["policy"], origin, "policy"));
  cfg.policy = load_policy_config(cfg.policy_file);
  if (auto i = doc.find("api"); i != doc.end()) {
    if (!i->is_object())
      fail(origin, "api", "expected an object with listen, token_file, rate_per_s, burst");
    for (auto& [key, value] : i->items()) {
      auto field = "api." + key;
      if (key == "listen")
        cfg.api_listen = get_string(value, origin, field);
      else if (key == "token_file")
        cfg.api_token_file = cfg.resolve(get_string(value, origin, field));
      else if (key == "rate_per_s")
        cfg.api_rate_per_s = static_cast<double>(get_uint(value, origin, field, 1, 100000));
      else if (key == "burst")
        cfg.api_burst = static_cast<uint32_t>(get_uint(value, origin, field, 1, 100000));
      else
        fail(origin, field, "unknown field (known: listen, token_file, rate_per_s, burst)");
    }
    if (!cfg.api_listen.empty() && cfg.api_token_file.empty())
      fail(origin, "api.token_file", "required when api.listen is set: the API needs a token");
  }
  if (auto i = doc.find("secrets_dir"); i != doc.end())
    cfg.secrets_dir = cfg.resolve(get_string(*i, origin, "secrets_dir"));
  if (auto i = doc.find("state_dir"); i != doc.end())
    cfg.state_dir = cfg.resolve(get_string(*i, origin, "state_dir"));
  if (auto i = doc.find("tools"); i != doc.end()) {
    if (!i->is_object())
      fail(origin, "tools", "expected an object of tool name to settings");
    for (auto& [name, value] : i->items())
      if (!value.is_object())
        fail(origin, "tools." + name, "expected an object");
    cfg.tools = *i;
  }
  return cfg;
}

actions_config load_actions_config(const std::string& path) {
  return parse_actions_config(read_config_file(path), path);
}

} // namespace vigil
