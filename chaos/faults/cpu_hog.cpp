// cpu_hog: busy processes saturate the CPU until reverted.
#include <csignal>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class cpu_hog : public basic_fault {
public:
  using basic_fault::basic_fault;

  ~cpu_hog() override { stop(); }

  std::string inject(const nlohmann::json& params) override {
    auto workers = params["workers"].get<long long>();
    if (workers == 0)
      workers = 2 * std::max(1u, std::thread::hardware_concurrency());
    for (long long i = 0; i < workers; ++i) {
      auto pid = ::fork();
      if (pid == 0) {
        // Dies with us, so a crashed chaos node leaves no hog behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        volatile unsigned long spin = 0;
        for (;;)
          spin = spin + 1;
      }
      if (pid < 0) {
        stop();
        throw fault_error("fork failed");
      }
      pids_.push_back(pid);
    }
    return "started " + std::to_string(workers) + " busy processes";
  }

  std::string revert(bool) override {
    auto n = pids_.size();
    stop();
    return "killed " + std::to_string(n) + " busy processes";
  }

private:
  void stop() {
    for (auto pid : pids_)
      ::kill(pid, SIGKILL);
    for (auto pid : pids_)
      ::waitpid(pid, nullptr, 0);
    pids_.clear();
  }

  std::vector<pid_t> pids_;
};

} // namespace

fault_ptr make_cpu_hog(const fault_context& ctx) {
  return std::make_unique<cpu_hog>(
    make_kind("cpu_hog", "cpu_saturation", "safe", "host",
              "Busy processes saturate every core.", "Kills them.", false, 60,
              {int_param("workers", 0, 64, 0, "busy processes (0: twice the cores)")},
              {{"kill_process", ""}}),
    ctx);
}

} // namespace vigil::chaos
