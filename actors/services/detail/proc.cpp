// /proc/<pid>/stat (through the process table) and /proc/<pid>/status.
#include "actors/services/detail/proc.hpp"

#include "actors/services/process_table.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace vigil::services::detail {

std::optional<proc_stat> read_proc_stat(pid_t pid) {
  auto p = read_process(pid);
  if (!p || p->start_ticks == 0)
    return std::nullopt;
  return proc_stat{p->state, p->start_ticks};
}

bool same_process_alive(pid_t pid, uint64_t start_ticks) {
  if (pid <= 0)
    return false;
  auto stat = read_proc_stat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X' && stat->start_ticks == start_ticks;
}

uint64_t proc_rss_bytes(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (in && std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream value{line.substr(6)};
      uint64_t kb = 0;
      value >> kb;
      return kb * 1024;
    }
  return 0;
}

} // namespace vigil::services::detail
