// restart_service: stops and starts a stack service through the node's
// service manager and waits until it is ready again (a new pid).
#include "actors/actions/tools/detail/service_call.hpp"
#include "actors/actions/tools/tools.hpp"

namespace vigil::actions {

namespace {

class restart_service : public tool {
public:
  tool_info info() const override {
    return {"restart_service", "low",
            "Restart a stack service (stop, start, wait until ready); starts it when down",
            "service: its name in the services file"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    return detail::validate_service_args(args);
  }

  tool_outcome run(const nlohmann::json& args, tool_env& env) override {
    auto name = args["service"].get<std::string>();
    auto before = detail::service_now(env, name);
    // A service that is not running has nothing to stop: starting is the restart.
    auto running = before.state == "running" || before.state == "starting";
    auto after = detail::service_do(env, running ? "restart" : "start", name);
    tool_outcome out;
    out.status = after.state == "running" ? "done" : "failed";
    out.detail = name + (running ? " restarted (pid " + std::to_string(before.pid) + " -> "
                                     + std::to_string(after.pid) + "): "
                                 : " was " + before.state + ", started: ")
                 + detail::describe(after);
    out.output = {{"changed", true},
                  {"previous_pid", before.pid},
                  {"previous_state", before.state},
                  {"status", detail::status_json(after)}};
    return out;
  }
};

} // namespace

tool_ptr make_restart_service(const actions_config&) {
  return std::make_unique<restart_service>();
}

} // namespace vigil::actions
