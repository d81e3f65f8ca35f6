// start_service: starts a stack service that is down, through the node's
// service manager. A service already running and ready is left alone.
#include "actors/actions/tools/detail/service_call.hpp"
#include "actors/actions/tools/tools.hpp"

namespace vigil::actions {

namespace {

class start_service : public tool {
public:
  tool_info info() const override {
    return {"start_service", "low", "Start a stack service that is down (waits until ready)",
            "service: its name in the services file"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    return detail::validate_service_args(args);
  }

  tool_outcome run(const nlohmann::json& args, tool_env& env) override {
    auto name = args["service"].get<std::string>();
    auto before = detail::service_now(env, name);
    tool_outcome out;
    if (before.state == "running" && before.ready) {
      out.detail = name + " is already running and ready (pid " + std::to_string(before.pid)
                   + "): nothing to do";
      out.output = {{"changed", false}, {"status", detail::status_json(before)}};
      return out;
    }
    auto after = detail::service_do(env, "start", name);
    out.status = after.state == "running" ? "done" : "failed";
    out.detail = name + " started: " + detail::describe(after) + " (was "
                 + detail::describe(before) + ")";
    out.output = {{"changed", true},
                  {"previous_state", before.state},
                  {"status", detail::status_json(after)}};
    return out;
  }
};

} // namespace

tool_ptr make_start_service(const actions_config&) {
  return std::make_unique<start_service>();
}

} // namespace vigil::actions
