// switch_upstream: which pricing instance shopd asks (POST /admin/upstream),
// the fix for a failing or hanging primary (chaos `upstream_down`), and its
// rollback ("use": "primary").
// Settings: {"services": {"shopd": {"admin_url", "admin_token", "public_url"}}}.
#include "actors/actions/tools/tools.hpp"

#include "actors/actions/tools/stack_admin.hpp"
#include "actors/actions/tools/tool_args.hpp"
#include "actors/actions/tools/wait_for.hpp"

namespace vigil::actions {

namespace {

class switch_upstream : public tool {
public:
  explicit switch_upstream(const actions_config& cfg)
    : cfg_(cfg), services_(stack_services(cfg, "switch_upstream")) {
    // nop
  }

  tool_info info() const override {
    return {"switch_upstream", "low",
            "Makes shopd get prices from its primary or its fallback pricing instance.",
            "use: primary or fallback; service: default shopd"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"use", "service"}};
    auto use = a.choice("use", {"primary", "fallback"}, "");
    auto service = a.text("service", "shopd");
    pick_service(services_, service);
    return {{"use", use}, {"service", service}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto& svc = pick_service(services_, args.at("service").get<std::string>());
    auto use = args.at("use").get<std::string>();
    auto status = admin_call(cfg_, "GET", svc.admin_url, "/admin/status", svc.admin_token);
    auto before = status.is_object() ? status["upstream"].value("use", "") : "";
    tool_outcome out;
    out.output = {{"service", svc.name}, {"before", before}, {"use", use}};
    if (before == use) {
      out.output["changed"] = false;
      out.output["url"] = status["upstream"].value("url", "");
    } else {
      auto reply = admin_call(cfg_, "POST", svc.admin_url, "/admin/upstream", svc.admin_token,
                              {{"use", use}});
      out.output["changed"] = true;
      out.output["url"] = reply.value("url", "");
    }
    // The switch only helps when the instance now used answers: readiness
    // fetches every price from it.
    std::string why;
    bool answers = svc.public_url.empty() || wait_for([&] {
      try {
        auto r = admin_request(cfg_, "GET", svc.public_url, "/readyz", "");
        auto& up = r.body.is_object() ? r.body["upstream"] : r.body;
        why = up.is_object() && up["error"].is_string() ? up["error"].get<std::string>() : "";
        return up.is_object() && up.value("ok", false);
      } catch (const std::exception& e) {
        why = e.what();
        return false;
      }
    }, std::chrono::seconds{5});
    out.output["upstream_ok"] = answers;
    auto where = svc.name + " uses its " + use + " pricing upstream ("
                 + out.output["url"].get<std::string>() + ")";
    if (!answers) {
      out.status = "failed";
      out.detail = where + ", but it does not answer: " + why;
    } else {
      out.detail = out.output["changed"].get<bool>() ? "switched: " + where
                                                     : where + " already; nothing changed";
    }
    return out;
  }

private:
  actions_config cfg_;
  std::map<std::string, stack_service> services_;
};

} // namespace

tool_ptr make_switch_upstream(const actions_config& cfg) {
  return std::make_unique<switch_upstream>(cfg);
}

} // namespace vigil::actions
