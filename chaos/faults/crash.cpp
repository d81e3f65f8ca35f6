// crash: SIGKILL the shop API. The process stays dead until someone fixes it.
#include <cerrno>
#include <csignal>
#include <cstring>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class crash : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json&) override {
    auto pid = ctx_.locate_service(ctx_.target.shopd.service);
    if (::kill(pid, SIGKILL) != 0)
      throw fault_error("kill -9 " + std::to_string(pid) + " failed: " + std::strerror(errno));
    return "sent SIGKILL to " + ctx_.target.shopd.service + " (pid " + std::to_string(pid) + ")";
  }

  std::string revert(bool) override { return "nothing more injected; the process stays down"; }
};

} // namespace

fault_ptr make_crash(const fault_context& ctx) {
  return std::make_unique<crash>(
    make_kind("crash", "process_crash", "safe", "shopd",
              "Kills the shop API with SIGKILL.", "Nothing to undo: the crash outlives the fault.",
              true, 30, {},
              {{"start_service", "shopd"}, {"restart_service", "shopd"}}),
    ctx);
}

} // namespace vigil::chaos
