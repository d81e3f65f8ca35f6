// Memory cgroup setup: v2 (memory.max, memory.events) when the unified
// hierarchy has the memory controller, else v1 (memory.limit_in_bytes,
// memory.oom_control).
#include "actors/services/detail/memory_cgroup.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace vigil::services::detail {

namespace {

namespace fs = std::filesystem;

const char* v2_root = "/sys/fs/cgroup";
const char* v1_root = "/sys/fs/cgroup/memory";

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Writes `text` in one write() as cgroup files want it; "" or why not.
std::string put(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return path + ": " + std::strerror(errno);
  auto n = ::write(fd, text.data(), text.size());
  auto err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    return path + ": " + std::strerror(err);
  return {};
}

bool is_v2() {
  auto controllers = slurp(std::string{v2_root} + "/cgroup.controllers");
  return controllers.find("memory") != std::string::npos;
}

/// The value after `key ` in a "key value" per line file; 0 when absent.
bool counter(const std::string& text, const std::string& key, uint64_t& value) {
  std::istringstream in{text};
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v)
    if (k == key) {
      value = v;
      return true;
    }
  return false;
}

std::string make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return dir.string() + ": " + ec.message();
  return {};
}

} // namespace

memory_cgroup prepare_memory_cgroup(const std::string& parent, const std::string& name,
                                    uint64_t limit_bytes) {
  memory_cgroup result;
  auto limit = std::to_string(limit_bytes);
  std::string problem;
  fs::path dir;
  if (is_v2()) {
    dir = fs::path{v2_root} / parent / name;
    // The memory controller must be enabled on the way down to our folder.
    put(std::string{v2_root} + "/cgroup.subtree_control", "+memory");
    if ((problem = make_dir(dir)).empty())
      put((fs::path{v2_root} / parent / "cgroup.subtree_control").string(), "+memory");
    if (problem.empty())
      problem = put((dir / "memory.max").string(), limit);
    if (problem.empty() && fs::exists(dir / "memory.swap.max"))
      put((dir / "memory.swap.max").string(), "0");
  } else if (fs::exists(fs::path{v1_root} / "memory.limit_in_bytes")) {
    dir = fs::path{v1_root} / parent / name;
    problem = make_dir(dir);
    if (problem.empty()) {
      // Memory plus swap may not be below memory alone: when a reused folder
      // had a lower limit, the first write fails until memsw is raised.
      auto first = put((dir / "memory.limit_in_bytes").string(), limit);
      if (fs::exists(dir / "memory.memsw.limit_in_bytes"))
        put((dir / "memory.memsw.limit_in_bytes").string(), limit);
      if (!first.empty())
        problem = put((dir / "memory.limit_in_bytes").string(), limit);
    }
  } else {
    problem = "no memory cgroup hierarchy under /sys/fs/cgroup";
  }
  if (!problem.empty()) {
    result.problem = problem;
    return result;
  }
  result.dir = dir.string();
  result.procs_path = (dir / "cgroup.procs").string();
  result.oom_kills = oom_kill_count(result.dir);
  return result;
}

uint64_t oom_kill_count(const std::string& dir) {
  uint64_t value = 0;
  if (counter(slurp(dir + "/memory.events"), "oom_kill", value))
    return value;
  if (counter(slurp(dir + "/memory.oom_control"), "oom_kill", value))
    return value;
  std::istringstream failcnt{slurp(dir + "/memory.failcnt")};
  failcnt >> value;
  return value;
}

} // namespace vigil::services::detail
