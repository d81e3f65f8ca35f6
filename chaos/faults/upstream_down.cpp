// upstream_down: the primary pricing service fails — it hangs (SIGSTOP) or
// answers 503 to everything; revert resumes it.
#include <cerrno>
#include <csignal>
#include <cstring>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class upstream_down : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    mode_ = params["mode"].get<std::string>();
    auto& svc = ctx_.target.pricing.service;
    if (mode_ == "hang") {
      pid_ = ctx_.locate_service(svc);
      if (::kill(pid_, SIGSTOP) != 0)
        throw fault_error("SIGSTOP " + std::to_string(pid_) + ": " + std::strerror(errno));
      return "froze " + svc + " (SIGSTOP pid " + std::to_string(pid_) + "): requests hang";
    }
    ctx_.admin_call("POST", ctx_.target.pricing.admin_url + "/admin/mode",
                    ctx_.target.pricing.admin_token_file, {{"mode", "error"}});
    return svc + " answers 503 to every price request";
  }

  std::string revert(bool) override {
    if (mode_ == "hang" && pid_ > 0) {
      ::kill(pid_, SIGCONT);
      auto pid = pid_;
      pid_ = 0;
      mode_.clear();
      return "resumed pid " + std::to_string(pid) + " (SIGCONT)";
    }
    if (mode_ == "error") {
      ctx_.admin_call("POST", ctx_.target.pricing.admin_url + "/admin/mode",
                      ctx_.target.pricing.admin_token_file, {{"mode", "ok"}});
      mode_.clear();
      return ctx_.target.pricing.service + " answers normally again";
    }
    return "nothing to undo";
  }

private:
  std::string mode_;
  pid_t pid_ = 0;
};

} // namespace

fault_ptr make_upstream_down(const fault_context& ctx) {
  return std::make_unique<upstream_down>(
    make_kind("upstream_down", "upstream_unavailable", "safe", "pricingd-primary",
              "The primary pricing service hangs (SIGSTOP) or answers 503.",
              "Resumes it (SIGCONT) or returns it to normal answers.", false, 60,
              {choice_param("mode", {"hang", "error"}, "error", "how it fails")},
              {{"switch_upstream", ""},
               {"restart_service", "pricingd-primary"},
               {"start_service", "pricingd-primary"}}),
    ctx);
}

} // namespace vigil::chaos
