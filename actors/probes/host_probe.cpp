// host: how busy the CPUs were since the last check (/proc/stat) and how long
// runnable tasks waited for one (/proc/pressure/cpu, where the kernel has it).
// Degraded only when both say saturated: a busy CPU alone is not a problem.
#include <chrono>
#include <fstream>
#include <sstream>

#include "actors/probes/kinds.hpp"

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
    r.values["cpu_busy"] = busy;
    if (waiting >= 0)
      r.values["cpu_pressure"] = waiting;
    bool saturated = busy > cfg.max_cpu_busy && (waiting < 0 || waiting > cfg.max_cpu_pressure);
    auto text = "CPU " + ms_text(busy * 100) + "% busy"
                + (waiting >= 0 ? ", tasks waited " + ms_text(waiting * 100) + "% of the time"
                                : std::string{});
    if (saturated)
      set_degraded(r, "saturated: " + text);
    set_ok(r, text);
  }

private:
  cpu_times last_cpu_;
  double last_pressure_ = -1;
  clock_type::time_point last_at_;
};

} // namespace

probe_ptr make_host_probe(const probe_config& cfg) {
  return std::make_unique<host_probe>(cfg);
}

} // namespace vigil::probes
