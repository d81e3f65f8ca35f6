#include "actors/actions/tools/detail/service_call.hpp"

#include <chrono>

#include "actors/actions/tools/detail/blocking_ask.hpp"

namespace vigil::actions::detail {

namespace {

using json = nlohmann::json;

/// A start waits for readiness, a stop for the process's stop timeout.
constexpr auto service_timeout = std::chrono::minutes(2);

service_manager_actor manager(tool_env& env) {
  auto m = env.services ? env.services() : service_manager_actor{};
  if (!m)
    throw tool_failure("this node's service manager (" + env.node_id
                       + "/action/services) is not running");
  return m;
}

} // namespace

json validate_service_args(const json& args) {
  for (auto& [key, value] : args.items())
    if (key != "service")
      throw bad_args("unknown argument '" + key + "' (known: service)");
  auto i = args.find("service");
  if (i == args.end() || !i->is_string() || i->get<std::string>().empty())
    throw bad_args("'service': required, the service's name as in the services file");
  auto name = i->get<std::string>();
  if (name.size() > 64 || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
                            != std::string::npos)
    throw bad_args("'service': letters, digits, '-', '_' and '.' only, at most 64");
  return json{{"service", name}};
}

service_status service_now(tool_env& env, const std::string& service) {
  return blocking_ask<service_status>(env.system, manager(env), std::chrono::seconds(10),
                                      "status of " + service, svc_status_atom::value, service);
}

service_status service_do(tool_env& env, const std::string& verb, const std::string& service) {
  auto what = verb + " " + service;
  auto m = manager(env);
  if (verb == "start")
    return blocking_ask<service_status>(env.system, m, service_timeout, what,
                                        svc_start_atom::value, service);
  if (verb == "stop")
    return blocking_ask<service_status>(env.system, m, service_timeout, what,
                                        svc_stop_atom::value, service);
  return blocking_ask<service_status>(env.system, m, service_timeout, what,
                                      svc_restart_atom::value, service);
}

std::string describe(const service_status& s) {
  std::string text = s.state;
  if (s.pid > 0 && (s.state == "running" || s.state == "starting"))
    text += ", pid " + std::to_string(s.pid);
  if (s.state == "running")
    text += s.ready ? ", ready" : ", not ready";
  if (!s.detail.empty())
    text += " (" + s.detail + ")";
  return text;
}

json status_json(const service_status& s) {
  return {{"service", s.name}, {"state", s.state},     {"pid", s.pid},
          {"ready", s.ready},  {"restarts", s.restarts}, {"detail", s.detail}};
}

} // namespace vigil::actions::detail
