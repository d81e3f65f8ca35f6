#include "vigilctl/drill/supervisord_baseline.hpp"

#include <array>
#include <chrono>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

namespace vigilctl::drill {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace_all(std::string& text, const std::string& what, const std::string& with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

/// A word for the shell inside supervisord's command line: no spaces or
/// quotes expected in the demo's paths, so refuse rather than mis-quote.
std::string word(const std::string& x) {
  if (x.empty() || x.find_first_of(" \t'\"\\$`;&|<>%") != std::string::npos)
    throw std::runtime_error("cannot put '" + x + "' into the supervisord command line");
  return x;
}

/// Runs a command, returns its exit code and output (stdout and stderr).
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  auto* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return {-1, "cannot run " + command};
  std::array<char, 512> buffer{};
  while (auto n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  auto status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string shell_quoted(const std::string& x) {
  return "'" + x + "'";
}

} // namespace

supervisord_baseline::supervisord_baseline(supervisord_settings settings)
  : settings_(std::move(settings)) {
  settings_.dir = fs::absolute(settings_.dir).lexically_normal().string();
  config_path_ = settings_.dir + "/supervisord.conf";
}

supervisord_baseline::~supervisord_baseline() {
  try {
    stop();
  } catch (...) {
    // nop: best effort on the way out
  }
}

void supervisord_baseline::start() {
  auto services = json::parse(read_text(settings_.services_file), nullptr, false, true);
  if (!services.is_object() || !services.contains("services"))
    throw std::runtime_error(settings_.services_file + " is not a services file");
  const json* svc = nullptr;
  for (auto& s : services["services"])
    if (s.value("name", "") == settings_.service)
      svc = &s;
  if (svc == nullptr)
    throw std::runtime_error("no service " + settings_.service + " in " + settings_.services_file);
  // Paths in the services file are relative to its folder (var/stack).
  auto cwd = fs::absolute(fs::path{settings_.services_file}.parent_path()).lexically_normal();
  std::string command = word(svc->value("command", ""));
  for (auto& arg : svc->value("args", json::array()))
    command += " " + word(arg.get<std::string>());
  std::string limit;
  if (auto mb = svc->value("memory_limit_mb", 0); mb > 0)
    limit = "prlimit --as=" + std::to_string(static_cast<uint64_t>(mb) * 1024 * 1024) + " --";
  if (auto data = svc->value("data_dir", ""); !data.empty())
    fs::create_directories(cwd / data);
  fs::create_directories(settings_.dir + "/logs");
  fs::create_directories(settings_.dir + "/pids");
  auto text = read_text(settings_.template_file);
  replace_all(text, "@DIR@", word(settings_.dir));
  replace_all(text, "@SERVICE@", word(settings_.service));
  replace_all(text, "@CWD@", word(cwd.string()));
  replace_all(text, "@LIMIT@", limit);
  replace_all(text, "@COMMAND@", command);
  {
    std::ofstream out{config_path_, std::ios::trunc};
    out << text;
    if (!out)
      throw std::runtime_error("cannot write " + config_path_);
  }
  std::remove((settings_.dir + "/supervisord.log").c_str());
  auto [code, output] = run("supervisord -c " + shell_quoted(config_path_));
  if (code != 0)
    throw std::runtime_error("supervisord did not start: " + output);
  running_ = true;
}

int supervisord_baseline::pid() const {
  if (!running_)
    return 0;
  auto [code, output] = run("supervisorctl -c " + shell_quoted(config_path_) + " pid "
                            + settings_.service);
  try {
    return code == 0 ? std::stoi(output) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

int supervisord_baseline::starts() const {
  std::ifstream in{settings_.dir + "/supervisord.log"};
  int n = 0;
  std::string line;
  while (std::getline(in, line))
    if (line.find("spawned: '" + settings_.service + "'") != std::string::npos)
      ++n;
  return n;
}

void supervisord_baseline::stop() {
  if (!running_)
    return;
  running_ = false;
  run("supervisorctl -c " + shell_quoted(config_path_) + " shutdown");
  // shutdown returns once asked; supervisord stops shopd, then removes its pid file.
  auto pidfile = settings_.dir + "/supervisord.pid";
  for (int i = 0; i < 150 && fs::exists(pidfile); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::remove((settings_.dir + "/pids/" + settings_.service + ".pid").c_str());
}

} // namespace vigilctl::drill
