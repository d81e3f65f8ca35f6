// Parsing /proc/<pid>/stat and /proc/<pid>/status.
#include "actors/services/detail/proc.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace vigil::services::detail {

std::optional<proc_stat> read_proc_stat(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!in || !std::getline(in, line))
    return std::nullopt;
  // The command name may hold spaces and parentheses: fields follow the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return std::nullopt;
  std::istringstream fields{line.substr(close + 1)};
  proc_stat result;
  std::string field;
  // Field 3 is the state, field 22 the start time.
  for (int index = 3; index <= 22 && fields >> field; ++index) {
    if (index == 3)
      result.state = field.empty() ? '?' : field[0];
    else if (index == 22)
      result.start_ticks = std::stoull(field);
  }
  if (result.start_ticks == 0)
    return std::nullopt;
  return result;
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
