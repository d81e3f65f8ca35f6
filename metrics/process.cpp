#include "metrics/process.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace vigil::metrics {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// The system's boot time (unix seconds) from /proc/stat's btime line.
std::optional<double> boot_time() {
  std::istringstream in{read_text("/proc/stat")};
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value)
      return value;
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

double count_open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator i{"/proc/self/fd", ec}, end; !ec && i != end;
       i.increment(ec))
    ++n;
  return n;
}

} // namespace

std::optional<proc_stat_fields> parse_proc_stat(const std::string& text) {
  // "pid (comm) state ppid ...": comm may contain ") ", so split at the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos || text.find('(') == std::string::npos)
    return std::nullopt;
  std::istringstream in{text.substr(close + 1)};
  // Fields after comm, numbered as in proc(5): 3 is the state.
  std::vector<std::string> fields;
  std::string field;
  while (in >> field)
    fields.push_back(field);
  auto at = [&](size_t number, uint64_t& out) {
    if (number - 3 >= fields.size())
      return false;
    auto& s = fields[number - 3];
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      return false;
    try {
      out = std::stoull(s);
    } catch (const std::exception&) {
      return false;
    }
    return true;
  };
  proc_stat_fields result;
  if (!at(14, result.utime_ticks) || !at(15, result.stime_ticks) || !at(20, result.threads)
      || !at(22, result.start_ticks) || !at(23, result.vsize_bytes) || !at(24, result.rss_pages))
    return std::nullopt;
  return result;
}

std::optional<process_stats> read_process_stats() {
  auto fields = parse_proc_stat(read_text("/proc/self/stat"));
  auto boot = boot_time();
  auto ticks = ::sysconf(_SC_CLK_TCK);
  auto page = ::sysconf(_SC_PAGESIZE);
  if (!fields || !boot || ticks <= 0 || page <= 0)
    return std::nullopt;
  process_stats s;
  s.cpu_seconds = static_cast<double>(fields->utime_ticks + fields->stime_ticks) / ticks;
  s.resident_bytes = static_cast<double>(fields->rss_pages) * page;
  s.virtual_bytes = static_cast<double>(fields->vsize_bytes);
  s.start_time_seconds = *boot + static_cast<double>(fields->start_ticks) / ticks;
  s.threads = static_cast<double>(fields->threads);
  s.open_fds = count_open_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    s.max_fds = static_cast<double>(limit.rlim_cur);
  return s;
}

collector_id collect_process_metrics(registry& reg) {
  reg.describe("process_cpu_seconds_total", kind::counter,
               "Total user and system CPU time spent in seconds.");
  reg.describe("process_resident_memory_bytes", kind::gauge, "Resident memory size in bytes.");
  reg.describe("process_virtual_memory_bytes", kind::gauge, "Virtual memory size in bytes.");
  reg.describe("process_start_time_seconds", kind::gauge,
               "Start time of the process since unix epoch in seconds.");
  reg.describe("process_open_fds", kind::gauge, "Number of open file descriptors.");
  reg.describe("process_max_fds", kind::gauge, "Maximum number of open file descriptors.");
  reg.describe("process_threads", kind::gauge, "Number of OS threads in the process.");
  return reg.on_collect([](registry& r) {
    auto s = read_process_stats();
    if (!s)
      return; // keep the last values rather than report zeros
    r.set("process_cpu_seconds_total", {}, s->cpu_seconds);
    r.set("process_resident_memory_bytes", {}, s->resident_bytes);
    r.set("process_virtual_memory_bytes", {}, s->virtual_bytes);
    r.set("process_start_time_seconds", {}, s->start_time_seconds);
    r.set("process_open_fds", {}, s->open_fds);
    r.set("process_max_fds", {}, s->max_fds);
    r.set("process_threads", {}, s->threads);
  });
}

} // namespace vigil::metrics
