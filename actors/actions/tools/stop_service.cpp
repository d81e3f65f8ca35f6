// stop_service: stops a stack service through the node's service manager
// (its stop timeout, then SIGKILL). A service not running is left alone.
#include "actors/actions/tools/detail/service_call.hpp"
#include "actors/actions/tools/tools.hpp"

namespace vigil::actions {

namespace {

class stop_service : public tool {
public:
  tool_info info() const override {
    return {"stop_service", "high", "Stop a stack service (it stays down until started)",
            "service: its name in the services file"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    return detail::validate_service_args(args);
  }

  tool_outcome run(const nlohmann::json& args, tool_env& env) override {
    auto name = args["service"].get<std::string>();
    auto before = detail::service_now(env, name);
    tool_outcome out;
    if (before.state != "running" && before.state != "starting") {
      out.detail = name + " is not running (" + before.state + "): nothing to do";
      out.output = {{"changed", false}, {"status", detail::status_json(before)}};
      return out;
    }
    auto after = detail::service_do(env, "stop", name);
    auto stopped = after.state != "running" && after.state != "starting";
    out.status = stopped ? "done" : "failed";
    out.detail = name + " stopped (pid " + std::to_string(before.pid)
                 + "): " + detail::describe(after);
    out.output = {{"changed", true},
                  {"previous_pid", before.pid},
                  {"status", detail::status_json(after)}};
    return out;
  }
};

} // namespace

tool_ptr make_stop_service(const actions_config&) {
  return std::make_unique<stop_service>();
}

} // namespace vigil::actions
