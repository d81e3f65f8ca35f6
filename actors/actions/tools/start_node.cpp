// start_node: starts a Vigil node process that is down, as `./run demo`
// does: detached (its own session), stdout and stderr appended to
// <logs_dir>/<config name>.log, its pid in <pids_dir>/<config name>.pid (so
// `./run stop` stops it too). Settings (actions file, tools.start_node):
//   "nodes": {"chaos-1": "chaos.json", ...}   node id -> its config file
//   "logs_dir", "pids_dir", "workdir"         the demo's folders
//   "binary"                                  default: this node's own binary
// A node the registry reports up, or whose port already answers, is left alone.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/actions/tools/detail/blocking_ask.hpp"
#include "actors/actions/tools/tools.hpp"
#include "config/node_config.hpp"

namespace vigil::actions {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr auto up_timeout = std::chrono::seconds(30);

/// True when something accepts TCP connections on host:port.
bool port_answers(const endpoint& ep) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(ep.host.c_str(), std::to_string(ep.port).c_str(), &hints, &res) != 0)
    return false;
  bool ok = false;
  for (auto* a = res; a != nullptr && !ok; a = a->ai_next) {
    auto fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
      continue;
    ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return ok;
}

bool alive(pid_t pid) {
  // A child of ours that exited is a zombie until reaped: reap it first.
  ::waitpid(pid, nullptr, WNOHANG);
  return pid > 0 && ::kill(pid, 0) == 0;
}

std::string last_lines(const std::string& path, size_t n) {
  std::ifstream in{path};
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > n)
      lines.erase(lines.begin());
  }
  std::string text;
  for (auto& l : lines)
    text += (text.empty() ? "" : " | ") + l;
  return text;
}

/// Starts `argv` in a new session, detached from this process (double fork:
/// the node is not our child, so it outlives us and never becomes our zombie).
/// Returns its pid. Everything the child touches is prepared before fork.
pid_t spawn_detached(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& log_path, const std::string& workdir) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    throw tool_failure("pipe failed");
  auto middle = ::fork();
  if (middle < 0)
    throw tool_failure("fork failed");
  if (middle == 0) {
    ::setsid();
    auto node = ::fork();
    if (node == 0) {
      auto log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      auto null = ::open("/dev/null", O_RDONLY);
      if (log < 0 || null < 0 || ::chdir(workdir.c_str()) != 0)
        ::_exit(127);
      ::dup2(null, 0);
      ::dup2(log, 1);
      ::dup2(log, 2);
      // Nothing of ours (sockets, the API's port) may leak into the node.
      for (int fd = 3; fd < 4096; ++fd)
        ::close(fd);
      ::signal(SIGPIPE, SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    auto written = ::write(report[1], &node, sizeof node);
    ::_exit(written == sizeof node ? 0 : 1);
  }
  ::close(report[1]);
  pid_t node = -1;
  auto n = ::read(report[0], &node, sizeof node);
  ::close(report[0]);
  ::waitpid(middle, nullptr, 0);
  if (n != sizeof node || node <= 0)
    throw tool_failure("could not start " + binary);
  return node;
}

std::string own_binary() {
  std::error_code ec;
  auto path = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{} : path.string();
}

class start_node : public tool {
public:
  explicit start_node(const actions_config& cfg) {
    auto& s = cfg.settings("start_node");
    auto text = [&](const char* key, const std::string& fallback) {
      auto i = s.find(key);
      return i != s.end() && i->is_string() ? cfg.resolve(i->get<std::string>()) : fallback;
    };
    binary_ = text("binary", own_binary());
    logs_dir_ = text("logs_dir", cfg.resolve("."));
    pids_dir_ = text("pids_dir", "");
    workdir_ = text("workdir", cfg.resolve("."));
    if (auto i = s.find("nodes"); i != s.end() && i->is_object())
      for (auto& [id, file] : i->items())
        if (file.is_string())
          nodes_[id] = cfg.resolve(file.get<std::string>());
  }

  tool_info info() const override {
    return {"start_node", "low", "Start a Vigil node process that is down (from its config)",
            "node: its id, one of tools.start_node.nodes in the actions file"};
  }

  json validate(const json& args) const override {
    for (auto& [key, value] : args.items())
      if (key != "node")
        throw bad_args("unknown argument '" + key + "' (known: node)");
    auto i = args.find("node");
    if (i == args.end() || !i->is_string())
      throw bad_args("'node': required, a node id");
    auto node = i->get<std::string>();
    if (nodes_.count(node) == 0) {
      std::string known;
      for (auto& [id, file] : nodes_)
        known += (known.empty() ? "" : ", ") + id;
      throw bad_args("'node': no config for node '" + node + "' in tools.start_node.nodes"
                     + (known.empty() ? "" : " (known: " + known + ")"));
    }
    return json{{"node", node}};
  }

  tool_outcome run(const json& args, tool_env& env) override {
    auto id = args["node"].get<std::string>();
    auto config_path = nodes_.at(id);
    auto cfg = load_node_config(config_path);
    endpoint ep{cfg.host, cfg.port};
    auto stem = fs::path{config_path}.stem().string();
    tool_outcome out;
    auto status = registry_status(env, id);
    // A port that answers is a node already there (maybe still joining):
    // a second process could not bind it anyway.
    if (status == "up" || port_answers(ep)) {
      out.detail = "node " + id + " is already up"
                   + (status == "up" ? "" : " (its port " + ep.to_string() + " answers)")
                   + ": nothing to do";
      out.output = {{"changed", false}, {"node", id}};
      return out;
    }
    if (binary_.empty())
      throw tool_failure("no binary to start nodes with (tools.start_node.binary)");
    auto log_path = (fs::path{logs_dir_} / (stem + ".log")).string();
    std::error_code ec;
    fs::create_directories(logs_dir_, ec);
    auto pid = spawn_detached(binary_, {"node", "--config", config_path}, log_path, workdir_);
    if (!pids_dir_.empty()) {
      fs::create_directories(pids_dir_, ec);
      std::ofstream{(fs::path{pids_dir_} / (stem + ".pid")).string()} << pid << "\n";
    }
    // Up: its port answers and, when the registry can be asked, it says so.
    auto deadline = std::chrono::steady_clock::now() + up_timeout;
    bool listening = false;
    std::string seen;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!alive(pid))
        break;
      listening = listening || port_answers(ep);
      if (listening) {
        seen = registry_status(env, id);
        if (seen == "up" || seen.empty())
          break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    out.output = {{"changed", true}, {"node", id}, {"pid", pid}, {"log", log_path},
                  {"config", config_path}};
    if (!alive(pid)) {
      out.status = "failed";
      out.detail = "node " + id + " (pid " + std::to_string(pid) + ") exited at start; log "
                   + log_path + ": " + last_lines(log_path, 3);
    } else if (!listening || (seen != "up" && !seen.empty())) {
      out.status = "failed";
      out.detail = "node " + id + " (pid " + std::to_string(pid) + ") runs but is not up after "
                   + std::to_string(up_timeout.count()) + " s; log " + log_path;
    } else {
      out.detail = "node " + id + " started (pid " + std::to_string(pid) + ", " + ep.to_string()
                   + (seen == "up" ? ", up in the registry" : ", its port answers") + ")";
    }
    return out;
  }

private:
  /// "up", "down" (or another status) from the registry; empty when the
  /// registry cannot be asked or does not know the node.
  std::string registry_status(tool_env& env, const std::string& id) const {
    auto registry = env.registry ? env.registry() : registry_actor{};
    if (!registry)
      return {};
    try {
      auto nodes = detail::blocking_ask<std::vector<node_info>>(
        env.system, registry, std::chrono::seconds(3), "list nodes", nodes_atom::value);
      for (auto& n : nodes)
        if (n.id == id)
          return n.status;
      return "down";
    } catch (const tool_failure&) {
      return {};
    }
  }

  std::string binary_;
  std::string logs_dir_;
  std::string pids_dir_;
  std::string workdir_;
  std::map<std::string, std::string> nodes_;
};

} // namespace

tool_ptr make_start_node(const actions_config& cfg) {
  return std::make_unique<start_node>(cfg);
}

} // namespace vigil::actions
