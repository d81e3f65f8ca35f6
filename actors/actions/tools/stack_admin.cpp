#include "actors/actions/tools/stack_admin.hpp"

#include "actors/actions/secret_store.hpp"
#include "actors/actions/tool.hpp"
#include "http/client.hpp"

namespace vigil::actions {

namespace {

std::string text_of(const nlohmann::json& s, const char* key) {
  auto i = s.find(key);
  return i != s.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

} // namespace

std::map<std::string, stack_service> stack_services(const actions_config& cfg,
                                                    const std::string& tool) {
  std::map<std::string, stack_service> result;
  auto& s = cfg.settings(tool);
  auto i = s.find("services");
  if (i == s.end() || !i->is_object())
    return result;
  for (auto& [name, value] : i->items()) {
    if (!value.is_object())
      continue;
    stack_service svc;
    svc.name = name;
    svc.admin_url = text_of(value, "admin_url");
    svc.admin_token = text_of(value, "admin_token");
    svc.public_url = text_of(value, "public_url");
    auto config_file = text_of(value, "config_file");
    svc.config_file = config_file.empty() ? "" : cfg.resolve(config_file);
    auto baseline_file = text_of(value, "baseline_file");
    svc.baseline_file = baseline_file.empty() ? "" : cfg.resolve(baseline_file);
    result.emplace(name, svc);
  }
  return result;
}

const stack_service& pick_service(const std::map<std::string, stack_service>& services,
                                  const std::string& name) {
  auto i = services.find(name);
  if (i == services.end()) {
    std::string list;
    for (auto& [known, svc] : services)
      list += (list.empty() ? "" : ", ") + known;
    throw bad_args("argument 'service': '" + name + "' is not a service this tool may touch ("
                   + (list.empty() ? "none configured" : list) + ")");
  }
  return i->second;
}

admin_reply admin_request(const actions_config& cfg, const std::string& method,
                          const std::string& base, const std::string& path,
                          const std::string& token_secret, const nlohmann::json& body,
                          int timeout_ms) {
  if (base.empty())
    throw tool_failure("no URL configured for " + path);
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
  if (!token_secret.empty())
    headers["Authorization"] = "Bearer " + secret_store{cfg.secrets_dir}.read(token_secret);
  admin_reply reply;
  try {
    auto r = http::fetch(method, base + path,
                         method == "GET" || method == "DELETE" ? "" : body.dump(), headers,
                         std::chrono::milliseconds{timeout_ms});
    reply.status = r.status;
    reply.text = r.body;
  } catch (const http::client_error& e) {
    throw tool_failure(method + " " + base + path + ": " + e.what());
  }
  reply.body = nlohmann::json::parse(reply.text, nullptr, false);
  if (reply.body.is_discarded())
    reply.body = nullptr;
  return reply;
}

nlohmann::json admin_call(const actions_config& cfg, const std::string& method,
                          const std::string& base, const std::string& path,
                          const std::string& token_secret, const nlohmann::json& body,
                          int timeout_ms) {
  auto r = admin_request(cfg, method, base, path, token_secret, body, timeout_ms);
  if (r.status < 200 || r.status >= 300)
    throw tool_failure(method + " " + base + path + ": HTTP " + std::to_string(r.status) + " "
                       + r.text.substr(0, 300));
  return r.body;
}

} // namespace vigil::actions
