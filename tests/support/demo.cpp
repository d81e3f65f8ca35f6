#include "tests/support/demo.hpp"

#include <iostream>

#include "messages/unix_time.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;

namespace vigil::test {

demo_cluster::demo_cluster(std::string source_dir, std::string vigilctl_binary,
                           std::string stack)
  : root_(std::move(source_dir)), vigilctl_(std::move(vigilctl_binary)) {
  run_command({root_ + "/run", "stop"}, 120s);
  auto r = run_command({root_ + "/run", "demo", "--detach", "--stack", stack}, 600s);
  up = r.exit_code == 0;
  if (!up)
    std::cerr << "./run demo failed:\n" << r.out << r.err << "\n";
}

demo_cluster::~demo_cluster() {
  run_command({root_ + "/run", "stop"}, 120s);
}

paused_demo::paused_demo(std::string source_dir, std::string vigilctl_binary)
  : cluster(std::move(source_dir), std::move(vigilctl_binary)) {
  if (!cluster.up)
    return;
  auto paused = cluster.vigilctl({"agents", "pause"}, 60s);
  if (paused.exit_code != 0)
    std::cerr << "vigilctl agents pause: " << paused.out << paused.err << "\n";
}

paused_demo::~paused_demo() {
  cluster.vigilctl({"agents", "resume"}, 30s);
}

command_result demo_cluster::vigilctl(std::vector<std::string> args,
                                      std::chrono::milliseconds timeout) const {
  args.insert(args.begin(), vigilctl_);
  return run_command(args, timeout);
}

json demo_cluster::ctl(std::vector<std::string> args, std::chrono::milliseconds timeout) const {
  args.insert(args.begin(), "--json");
  return json::parse(vigilctl(std::move(args), timeout).out, nullptr, false);
}

std::string demo_cluster::secret(const std::string& name) const {
  auto value = read_file(root_ + "/var/secrets/" + name);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
    value.pop_back();
  return value;
}

bool demo_cluster::all_healthy() const {
  auto status = ctl({"status"});
  if (!status.is_array() || status.empty())
    return false;
  for (auto& s : status)
    if (s.value("health", "") != "ok")
      return false;
  return true;
}

json demo_cluster::service(const std::string& name) const {
  auto services = ctl({"services"});
  if (services.is_array())
    for (auto& s : services)
      if (s.value("name", "") == name)
        return s;
  return json::object();
}

json demo_cluster::incident_of(const std::string& svc, int64_t since_ms) const {
  auto list = ctl({"incidents", "--all"});
  if (!list.is_array())
    return json();
  for (auto& x : list) {
    auto closed = x.value("closed_unix_ms", int64_t{0});
    if (x.value("opened_unix_ms", int64_t{0}) < since_ms && closed != 0 && closed < since_ms)
      continue;
    for (auto& s : x.value("services", json::array()))
      if (s == svc)
        return x;
  }
  return json();
}

json demo_cluster::closed_incident(const std::string& id, std::chrono::milliseconds timeout) const {
  json x;
  auto closed = wait_until(
    [&] {
      x = ctl({"incident", id});
      auto state = x.is_object() ? x.value("state", "") : "";
      return state == "resolved" || state == "escalated";
    },
    timeout, vigilctl_poll);
  return closed ? x : json();
}

json demo_cluster::pending_approval(const std::string& incident) const {
  auto pending = ctl({"approvals"});
  if (pending.is_array())
    for (auto& a : pending)
      if (a.value("incident", "") == incident)
        return a;
  return json();
}

bool demo_cluster::settle(std::chrono::milliseconds timeout) const {
  auto resumed = ctl({"agents", "resume"});
  if (!resumed.is_object() || resumed.value("paused", true))
    return false;
  return wait_until(
    [&] {
      auto pending = ctl({"approvals"});
      if (pending.is_array())
        for (auto& a : pending)
          vigilctl({"reject", a.value("id", ""), "--as", "human:test", "--reason",
                    "left by an earlier test"});
      auto open = ctl({"incidents"});
      return open.is_array() && open.empty() && all_healthy();
    },
    timeout, 4 * vigilctl_poll);
}

int demo_cluster::node_pid(const std::string& name) const {
  try {
    return std::stoi(read_file(root_ + "/var/demo/pids/" + name + ".pid"));
  } catch (const std::exception&) {
    return 0;
  }
}

} // namespace vigil::test
