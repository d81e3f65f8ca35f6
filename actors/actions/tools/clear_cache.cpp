// clear_cache: drops every cached price of a service (shopd's POST
// /admin/cache/clear), the fix for a poisoned cache (chaos `cache_poison`).
// Settings: {"services": {"shopd": {"admin_url", "admin_token"}}}.
#include "actors/actions/tools/tools.hpp"

#include "actors/actions/tools/stack_admin.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

class clear_cache : public tool {
public:
  explicit clear_cache(const actions_config& cfg)
    : cfg_(cfg), services_(stack_services(cfg, "clear_cache")) {
    // nop
  }

  tool_info info() const override {
    return {"clear_cache", "low", "Drops every cached price of a service; the next request refills it.",
            "service: the service whose cache to clear (default shopd)"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"service"}};
    auto service = a.text("service", "shopd");
    pick_service(services_, service);
    return {{"service", service}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto& svc = pick_service(services_, args.at("service").get<std::string>());
    auto reply = admin_call(cfg_, "POST", svc.admin_url, "/admin/cache/clear", svc.admin_token);
    auto cleared = reply.is_object() ? reply.value("cleared", 0) : 0;
    tool_outcome out;
    out.output = {{"service", svc.name}, {"cleared", cleared}, {"changed", cleared > 0}};
    out.detail = cleared > 0 ? "cleared " + std::to_string(cleared) + " cached prices of " + svc.name
                             : "the price cache of " + svc.name + " was already empty; nothing changed";
    return out;
  }

private:
  actions_config cfg_;
  std::map<std::string, stack_service> services_;
};

} // namespace

tool_ptr make_clear_cache(const actions_config& cfg) {
  return std::make_unique<clear_cache>(cfg);
}

} // namespace vigil::actions
