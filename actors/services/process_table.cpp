#include "actors/services/process_table.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <dirent.h>
#include <unistd.h>

namespace vigil::services {

std::optional<process_sample> read_process(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!in || !std::getline(in, line))
    return std::nullopt;
  // The command may hold spaces and parentheses: it ends at the last ')'.
  auto open = line.find('(');
  auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open
      || close + 2 > line.size())
    return std::nullopt;
  process_sample p;
  p.pid = pid;
  p.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest{line.substr(close + 2)};
  std::vector<std::string> f{std::istream_iterator<std::string>{rest}, {}};
  if (f.size() < 20)
    return std::nullopt;
  try {
    p.state = f[0].empty() ? '?' : f[0][0];
    p.ppid = std::stoi(f[1]);
    p.pgrp = std::stoi(f[2]);
    p.cpu_ticks = std::stoull(f[11]) + std::stoull(f[12]);
    p.start_ticks = std::stoull(f[19]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return p;
}

process_table read_process_table() {
  process_table result;
  auto* dir = ::opendir("/proc");
  if (dir == nullptr)
    throw std::runtime_error("cannot read /proc");
  while (auto* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    auto pid = static_cast<pid_t>(std::stol(name));
    if (auto p = read_process(pid))
      result.emplace(pid, *p);
  }
  ::closedir(dir);
  return result;
}

std::string exe_name(pid_t pid) {
  char buf[4096];
  auto path = "/proc/" + std::to_string(pid) + "/exe";
  auto n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n <= 0)
    return {};
  std::string exe{buf, static_cast<size_t>(n)};
  auto deleted = exe.rfind(" (deleted)");
  if (deleted != std::string::npos && deleted + 10 == exe.size())
    exe.resize(deleted);
  return exe.substr(exe.rfind('/') + 1);
}

bool descends_from(pid_t pid, pid_t ancestor, const process_table& procs) {
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    auto i = procs.find(pid);
    if (i == procs.end())
      return false;
    if (i->second.ppid == ancestor)
      return true;
    pid = i->second.ppid;
  }
  return false;
}

namespace {

/// Seconds since boot (/proc/uptime), the clock of a process's start time;
/// negative when it cannot be read.
double seconds_since_boot() {
  std::ifstream in{"/proc/uptime"};
  double up = -1;
  in >> up;
  return in ? up : -1;
}

/// Shorter lives are too few clock ticks to tell a rate from.
constexpr double min_age_s = 0.1;

} // namespace

std::vector<cpu_use> cpu_between(const process_table& first, const process_table& second,
                                 double seconds, double min_percent) {
  std::vector<cpu_use> out;
  if (seconds <= 0)
    return out;
  auto ticks_per_s = static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto up = seconds_since_boot();
  for (auto& [pid, now] : second) {
    auto i = first.find(pid);
    double cpu = 0;
    if (i != first.end() && i->second.start_ticks == now.start_ticks) {
      if (now.cpu_ticks < i->second.cpu_ticks)
        continue;
      cpu = static_cast<double>(now.cpu_ticks - i->second.cpu_ticks) / ticks_per_s / seconds
            * 100.0;
    } else {
      // Started since the first look (a runaway job forks new spinners all
      // the time): all its CPU was burnt within the interval, over its age.
      auto age = std::min(seconds, up - static_cast<double>(now.start_ticks) / ticks_per_s);
      if (up < 0 || age < min_age_s)
        continue;
      cpu = static_cast<double>(now.cpu_ticks) / ticks_per_s / age * 100.0;
    }
    if (cpu >= min_percent)
      out.push_back({now, cpu});
  }
  return out;
}

std::string why_not_outside(const process_sample& p, const process_table& procs,
                            const std::set<pid_t>& service_pids,
                            const std::set<std::string>& protect) {
  if (p.pid <= 1)
    return "init";
  if (p.state == 'Z')
    return "already exited";
  if (p.pid == ::getpid() || descends_from(::getpid(), p.pid, procs))
    return "this node or its ancestor";
  if (service_pids.count(p.pid) > 0 || service_pids.count(p.pgrp) > 0)
    return "a stack service";
  auto exe = exe_name(p.pid);
  if (exe.empty())
    return "a kernel thread or not inspectable";
  if (exe == "postgres" || p.comm == "postgres")
    return "postgres";
  if (exe == "vigil") {
    // A node's main process was not forked by another vigil process.
    if (procs.count(p.ppid) == 0 || exe_name(p.ppid) != "vigil")
      return "a Vigil node";
  }
  if (protect.count(p.comm) > 0 || protect.count(exe) > 0)
    return "protected by the deployment's settings";
  return {};
}

} // namespace vigil::services
