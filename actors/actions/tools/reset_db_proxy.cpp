// reset_db_proxy: removes every toxic (added delay) from the DB proxy, the
// fix for slow DB replies on the app's path (chaos `latency`).
// Settings: {"control_url": "http://127.0.0.1:5436"}.
#include "actors/actions/tools/tools.hpp"

#include "actors/actions/tools/stack_admin.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

class reset_db_proxy : public tool {
public:
  explicit reset_db_proxy(const actions_config& cfg) : cfg_(cfg) {
    auto& s = cfg.settings("reset_db_proxy");
    if (auto i = s.find("control_url"); i != s.end() && i->is_string())
      control_url_ = i->get<std::string>();
  }

  tool_info info() const override {
    return {"reset_db_proxy", "low", "Removes every delay configured on the DB proxy (DELETE /toxics).",
            "none"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args{args, {}};
    return nlohmann::json::object();
  }

  tool_outcome run(const nlohmann::json&, tool_env&) override {
    auto before = admin_call(cfg_, "GET", control_url_, "/toxics", "");
    if (!before.is_object())
      throw tool_failure("GET " + control_url_ + "/toxics did not answer a JSON object");
    auto delay = before.value("delay_ms", 0);
    auto jitter = before.value("jitter_ms", 0);
    tool_outcome out;
    out.output = {{"before", {{"delay_ms", delay}, {"jitter_ms", jitter}}}};
    if (delay == 0 && jitter == 0) {
      out.detail = "the DB proxy has no delay configured; nothing changed";
      out.output["changed"] = false;
      return out;
    }
    auto after = admin_call(cfg_, "DELETE", control_url_, "/toxics", "");
    out.output["changed"] = true;
    out.output["after"] = {{"delay_ms", after.value("delay_ms", 0)},
                           {"jitter_ms", after.value("jitter_ms", 0)}};
    if (after.value("delay_ms", 0) != 0) {
      out.status = "failed";
      out.detail = "the DB proxy still reports a delay of "
                   + std::to_string(after.value("delay_ms", 0)) + " ms after DELETE /toxics";
      return out;
    }
    out.detail = "removed the DB proxy's delay of " + std::to_string(delay) + " ± "
                 + std::to_string(jitter) + " ms";
    return out;
  }

private:
  actions_config cfg_;
  std::string control_url_;
};

} // namespace

tool_ptr make_reset_db_proxy(const actions_config& cfg) {
  return std::make_unique<reset_db_proxy>(cfg);
}

} // namespace vigil::actions
