// rollback_config: puts a service's last known good config files back and
// restarts it on them. The service manager keeps those files: the config a
// start launched with becomes known good once the service proved healthy on
// it (actors/services/config_history.hpp). Works for any service whose
// services file entry lists its config_files: an app's JSON, nginx.conf,
// pgbouncer.ini.
#include "actors/actions/tools/detail/blocking_ask.hpp"
#include "actors/actions/tools/detail/service_call.hpp"
#include "actors/actions/tools/tools.hpp"

namespace vigil::actions {

namespace {

class rollback_config : public tool {
public:
  tool_info info() const override {
    return {"rollback_config", "low",
            "Put a service's last known good config files back and restart it on them",
            "service: its name in the services file"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    return detail::validate_service_args(args);
  }

  tool_outcome run(const nlohmann::json& args, tool_env& env) override {
    auto name = args["service"].get<std::string>();
    auto manager = env.services ? env.services() : service_manager_actor{};
    if (!manager)
      throw tool_failure("this node's service manager (" + env.node_id
                         + "/action/services) is not running");
    auto restored = detail::blocking_ask<std::string>(env.system, manager, std::chrono::seconds(10),
                                                      "restore the config of " + name,
                                                      svc_restore_config_atom::value, name);
    auto before = detail::service_now(env, name);
    auto running = before.state == "running" || before.state == "starting";
    auto after = detail::service_do(env, running ? "restart" : "start", name);
    tool_outcome out;
    out.status = after.state == "running" ? "done" : "failed";
    out.detail = restored + "; " + name + (running ? " restarted: " : " started: ")
                 + detail::describe(after);
    out.output = {{"changed", true}, {"restored", restored}, {"status", detail::status_json(after)}};
    return out;
  }
};

} // namespace

tool_ptr make_rollback_config(const actions_config&) {
  return std::make_unique<rollback_config>();
}

} // namespace vigil::actions
