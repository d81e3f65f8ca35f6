// oom: make the shop API leak memory until the kernel's OOM killer ends it
// (it runs under a memory limit set by the service manager).
#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class oom : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto rate = params["mb_per_second"].get<long long>();
    ctx_.admin_call("POST", ctx_.target.shopd.admin_url + "/admin/leak",
                    ctx_.target.shopd.admin_token_file, {{"mb_per_second", rate}});
    return "shopd leaks " + std::to_string(rate) + " MiB/s until its memory limit kills it";
  }

  std::string revert(bool) override {
    // Stop leaking if shopd still lives (no kernel kill without a cgroup).
    try {
      ctx_.admin_call("POST", ctx_.target.shopd.admin_url + "/admin/leak",
                      ctx_.target.shopd.admin_token_file, {{"mb_per_second", 0}});
      return "told shopd to stop leaking; what it holds stays until it restarts";
    } catch (const fault_error&) {
      return "nothing more injected; the OOM kill outlives the fault";
    }
  }
};

} // namespace

fault_ptr make_oom(const fault_context& ctx) {
  return std::make_unique<oom>(
    make_kind("oom", "memory_exhaustion", "safe", "shopd",
              "Makes the shop API allocate memory until the kernel OOM-kills it under its limit.",
              "Nothing to undo: the kill outlives the fault.", true, 60,
              {int_param("mb_per_second", 1, 1024, 64, "leak rate")},
              {{"start_service", "shopd"}, {"restart_service", "shopd"}}),
    ctx);
}

} // namespace vigil::chaos
