// host: how busy the CPUs were since the last check (/proc/stat), how long
// runnable tasks waited for one (/proc/pressure/cpu, where the kernel has it)
// and how much of it processes outside the stack burnt (the service
// manager's state file names the stack's processes), also as a share of what
// all processes burnt. Degraded only when the
// first two say saturated: a busy CPU alone is not a problem. The process
// table is read only while the CPUs are that busy: a quiet host costs no
// scan of /proc.
#include <chrono>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "actors/probes/kinds.hpp"
#include "actors/services/process_table.hpp"
#include "actors/services/state_file.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;

struct cpu_times {
  uint64_t total = 0;
  uint64_t idle = 0;
};

cpu_times read_cpu() {
  std::ifstream in{"/proc/stat"};
  std::string cpu;
  in >> cpu;
  cpu_times t;
  uint64_t v = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {
    t.total += v;
    if (i == 3 || i == 4) // idle, iowait
      t.idle += v;
  }
  return t;
}

/// "some ... total=<µs>" of /proc/pressure/cpu; -1 when unavailable.
double read_pressure_total_us() {
  std::ifstream in{"/proc/pressure/cpu"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("some", 0) != 0)
      continue;
    auto at = line.find("total=");
    if (at != std::string::npos)
      return std::stod(line.substr(at + 6));
  }
  return -1;
}

class host_probe : public probe {
public:
  explicit host_probe(const probe_config& cfg) : probe(cfg) {
    last_cpu_ = read_cpu();
    last_pressure_ = read_pressure_total_us();
    last_at_ = clock_type::now();
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    // A check asked out of turn right after a scheduled one would measure a
    // few clock ticks: too coarse to tell anything.
    auto since = clock_type::now() - last_at_;
    if (since < min_sample)
      std::this_thread::sleep_for(min_sample - since);
    auto cpu = read_cpu();
    auto pressure = read_pressure_total_us();
    auto now = clock_type::now();
    auto elapsed_us = std::chrono::duration<double, std::micro>(now - last_at_).count();
    auto total = static_cast<double>(cpu.total - last_cpu_.total);
    auto busy = total > 0 ? 1.0 - static_cast<double>(cpu.idle - last_cpu_.idle) / total : 0;
    double waiting = -1;
    if (pressure >= 0 && last_pressure_ >= 0 && elapsed_us > 0)
      waiting = std::min(1.0, (pressure - last_pressure_) / elapsed_us);
    last_cpu_ = cpu;
    last_pressure_ = pressure;
    last_at_ = now;
    std::optional<outside_cpu> outside;
    if (busy > cfg.max_cpu_busy)
      outside = outside_use();
    else
      last_processes_.clear();
    r.values["cpu_busy"] = busy;
    if (waiting >= 0)
      r.values["cpu_pressure"] = waiting;
    bool saturated = busy > cfg.max_cpu_busy && (waiting < 0 || waiting > cfg.max_cpu_pressure);
    auto text = "CPU " + ms_text(busy * 100) + "% busy"
                + (waiting >= 0 ? ", tasks waited " + ms_text(waiting * 100) + "% of the time"
                                : std::string{});
    if (outside) {
      r.values["outside_cpu_percent"] = outside->total_percent;
      // Their share of what all processes burnt, for people: no proof
      // either way, since the scheduler gives each session (autogroup) a
      // fair share, so a runaway job gets its session's, not the CPUs.
      if (outside->all_percent > 0)
        r.values["outside_cpu_share"] = outside->total_percent / outside->all_percent;
      text += "; outside the stack " + ms_text(outside->total_percent) + "% of a core"
              + (outside->busiest.empty() ? std::string{} : " (busiest: " + outside->busiest + ")");
    }
    if (saturated)
      set_degraded(r, "saturated: " + text);
    set_ok(r, text);
  }

private:
  static constexpr auto min_sample = std::chrono::milliseconds(200);

  struct outside_cpu {
    double total_percent = 0;
    double all_percent = 0; ///< Of every process, outside or not.
    std::string busiest; ///< "name (pid N, P%)"
  };

  /// Every process, or none when /proc cannot be read.
  static services::process_table read_processes() {
    try {
      return services::read_process_table();
    } catch (const std::exception&) {
      return {};
    }
  }

  /// CPU burnt by processes outside the stack, Vigil and the system since
  /// the last look at the process table (one taken now, and another a short
  /// sample later, when there was none); nothing without a state file
  /// (anything could be ours).
  std::optional<outside_cpu> outside_use() {
    auto& cfg = config();
    if (cfg.state_file.empty())
      return std::nullopt;
    if (last_processes_.empty()) {
      last_processes_ = read_processes();
      last_scan_at_ = clock_type::now();
      std::this_thread::sleep_for(min_sample);
    }
    auto now = read_processes();
    auto scanned_at = clock_type::now();
    auto seconds = std::chrono::duration<double>(scanned_at - last_scan_at_).count();
    auto before = std::exchange(last_processes_, now);
    last_scan_at_ = scanned_at;
    if (now.empty() || before.empty())
      return std::nullopt;
    std::string problem;
    auto saved = services::read_state_file(cfg.state_file, problem);
    if (!problem.empty())
      return std::nullopt;
    std::set<pid_t> stack;
    for (auto& [name, s] : saved)
      if (s.process.pid > 0)
        stack.insert(s.process.pid);
    outside_cpu out;
    double busiest = 0;
    // Below 1% of a core is the noise of idle processes waking up.
    for (auto& use : services::cpu_between(before, now, seconds, 1.0)) {
      out.all_percent += use.cpu_percent;
      if (!services::why_not_outside(use.proc, now, stack, {}).empty())
        continue;
      out.total_percent += use.cpu_percent;
      if (use.cpu_percent > busiest) {
        busiest = use.cpu_percent;
        out.busiest = use.proc.comm + " (pid " + std::to_string(use.proc.pid) + ", "
                      + ms_text(use.cpu_percent) + "%)";
      }
    }
    return out;
  }

  cpu_times last_cpu_;
  double last_pressure_ = -1;
  clock_type::time_point last_at_;
  /// The last look at every process, kept only while the CPUs are busy.
  services::process_table last_processes_;
  clock_type::time_point last_scan_at_;
};

} // namespace

probe_ptr make_host_probe(const probe_config& cfg) {
  return std::make_unique<host_probe>(cfg);
}

} // namespace vigil::probes
