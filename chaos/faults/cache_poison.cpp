// cache_poison: the shop's price cache fills with wrong prices. The upstream
// briefly serves skewed prices while the shop refills its cache; then the
// upstream is right again but the cache keeps the poison until cleared.
#include "chaos/faults/faults.hpp"

#include "http/client.hpp"

namespace vigil::chaos {

namespace {

class cache_poison : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto factor = params["factor"].get<long long>();
    auto& pricing = ctx_.target.pricing;
    auto& shop = ctx_.target.shopd;
    ctx_.admin_call("POST", pricing.admin_url + "/admin/mode", pricing.admin_token_file,
                    {{"mode", "skew"}, {"factor", factor}});
    std::string warmed;
    // Whatever happens while refilling, the upstream must not stay skewed.
    try {
      ctx_.admin_call("POST", shop.admin_url + "/admin/cache/clear", shop.admin_token_file);
      auto r = http::fetch("GET", shop.public_url + "/products", "", {}, std::chrono::seconds(5));
      warmed = "HTTP " + std::to_string(r.status);
    } catch (const std::exception& e) {
      warmed = e.what();
    }
    try {
      ctx_.admin_call("POST", pricing.admin_url + "/admin/mode", pricing.admin_token_file,
                      {{"mode", "ok"}});
    } catch (const fault_error& e) {
      throw fault_error(std::string{"cannot put the upstream back to normal: "} + e.what());
    }
    // The upstream is healthy again at once: only the cache is wrong now.
    return "shopd cached prices " + std::to_string(factor) + "x too high (refill: " + warmed + ")";
  }

  std::string revert(bool) override {
    ctx_.admin_call("POST", ctx_.target.shopd.admin_url + "/admin/cache/clear",
                    ctx_.target.shopd.admin_token_file);
    return "cleared shopd's price cache";
  }
};

} // namespace

fault_ptr make_cache_poison(const fault_context& ctx) {
  return std::make_unique<cache_poison>(
    make_kind("cache_poison", "cache_poisoned", "safe", "shopd",
              "Fills the shop's price cache with prices skewed by a factor.",
              "Clears the cache.", false, 120,
              {int_param("factor", 2, 1000, 10, "how many times too high")},
              {{"clear_cache", "shopd"}}),
    ctx);
}

} // namespace vigil::chaos
