#include "config/agents_config.hpp"

#include <filesystem>
#include <set>

#include "config/json_fields.hpp"
#include "config/node_config.hpp"

namespace vigil {

using json = nlohmann::json;
using namespace config_fields;
namespace fs = std::filesystem;

std::string agents_config::resolve(const std::string& path) const {
  if (path.empty() || fs::path{path}.is_absolute())
    return path;
  return (fs::path{folder} / path).lexically_normal().string();
}

const json& agents_config::settings(const std::string& agent) const {
  static const json empty = json::object();
  auto i = agents.find(agent);
  return i == agents.end() ? empty : *i;
}

agents_config parse_agents_config(const std::string& text, const std::string& origin) {
  auto doc = parse_object(text, origin);
  static const std::set<std::string> sections{"perception", "diagnosis", "planner",
                                              "safety",     "verifier",  "narrator"};
  agents_config cfg;
  cfg.folder = fs::path{origin}.parent_path().string();
  if (cfg.folder.empty())
    cfg.folder = ".";
  for (auto& [key, value] : doc.items()) {
    if (key == "policy") {
      cfg.policy_file = cfg.resolve(get_string(value, origin, key));
      cfg.policy = load_policy_config(cfg.policy_file);
    } else if (key == "model") {
      cfg.model_file = cfg.resolve(get_string(value, origin, key));
      cfg.model = load_service_model(cfg.model_file);
    } else if (key == "reports_dir") {
      cfg.reports_dir = cfg.resolve(get_string(value, origin, key));
    } else if (key == "webhooks") {
      if (!value.is_array())
        fail(origin, key, "expected an array of {\"name\", \"url\"}");
      for (auto& hook : value) {
        if (!hook.is_object() || !hook.contains("url"))
          fail(origin, key, "each webhook needs a \"url\", got " + hook.dump());
        webhook_config w;
        w.url = get_string(hook["url"], origin, "webhooks.url");
        if (w.url.rfind("http://", 0) != 0)
          fail(origin, "webhooks.url", "expected http://HOST:PORT/PATH, got '" + w.url + "'");
        w.name = hook.contains("name") ? get_string(hook["name"], origin, "webhooks.name") : w.url;
        cfg.webhooks.push_back(std::move(w));
      }
    } else if (sections.count(key) != 0) {
      if (!value.is_object())
        fail(origin, key, "expected an object of that agent's settings");
      cfg.agents[key] = value;
    } else {
      fail(origin, key, "unknown field (known: policy, model, reports_dir, webhooks, perception, "
                        "diagnosis, planner, safety, verifier, narrator)");
    }
  }
  if (cfg.policy_file.empty())
    fail(origin, "policy", "required: the policy file the safety agent applies");
  return cfg;
}

agents_config load_agents_config(const std::string& path) {
  return parse_agents_config(read_config_file(path), path);
}

} // namespace vigil
