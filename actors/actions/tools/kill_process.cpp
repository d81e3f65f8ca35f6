// kill_process: finds runaway processes by their CPU use over a short
// sample (/proc), alone or as a family of one parent's same-named children,
// and kills them with SIGKILL. The bar is the deployment's setting; a caller
// can only narrow the search (parent_pid). Never pid 1, never this node
// or its ancestors, never a stack service (or its process group), never
// postgres, never a Vigil node's main process, never a protected name.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "actors/actions/tools/detail/blocking_ask.hpp"
#include "actors/actions/tools/tools.hpp"
#include "actors/services/process_table.hpp"
#include "config/node_config.hpp"

namespace vigil::actions {

namespace {

using json = nlohmann::json;

/// How busy a process must be to be killed, and how long it is watched:
/// the deployment's settings, never a caller's argument (a caller with a
/// low bar would sweep the host).
struct kill_bar {
  double min_cpu_percent = 50;
  int64_t sample_ms = 700;
  size_t max_kills = 32;
  int64_t rounds = 3;
};

kill_bar bar_from(const json& s) {
  kill_bar bar;
  auto whole = [&s](const char* key, int64_t lo, int64_t hi, int64_t fallback) {
    if (!s.contains(key))
      return fallback;
    auto& v = s[key];
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
      throw config_error("actions: kill_process setting '" + std::string{key}
                         + "': a whole number in " + std::to_string(lo) + ".."
                         + std::to_string(hi) + ", got " + v.dump());
    return v.get<int64_t>();
  };
  bar.min_cpu_percent = static_cast<double>(whole("min_cpu_percent", 5, 100000, 50));
  bar.sample_ms = whole("sample_ms", 200, 5000, 700);
  bar.max_kills = static_cast<size_t>(whole("max_kills", 1, 256, 32));
  bar.rounds = whole("rounds", 1, 10, 3);
  return bar;
}

class kill_process : public tool {
public:
  explicit kill_process(const actions_config& cfg) {
    auto& s = cfg.settings("kill_process");
    if (auto i = s.find("protect"); i != s.end() && i->is_array())
      for (auto& name : *i)
        if (name.is_string())
          protect_.insert(name.get<std::string>());
    bar_ = bar_from(s.is_object() ? s : json::object());
  }

  tool_info info() const override {
    return {"kill_process", "high",
            "Kill runaway processes: those above the deployment's CPU bar over a short sample "
            "(SIGKILL)",
            "parent_pid (only descendants of it; optional). The bar (min_cpu_percent, "
            "sample_ms, max_kills, rounds) is the tool's settings, not an argument"};
  }

  json validate(const json& args) const override {
    json out = json::object();
    for (auto& [key, value] : args.items()) {
      if (key == "parent_pid") {
        if (!value.is_number_integer() || value.get<int64_t>() < 2
            || value.get<int64_t>() > (1 << 30))
          throw bad_args("'parent_pid': a whole number in 2.." + std::to_string(1 << 30));
        out[key] = value.get<int64_t>();
      } else if (key == "min_cpu_percent" || key == "sample_ms" || key == "max_kills"
                 || key == "rounds") {
        throw bad_args("'" + key + "' is the deployment's kill_process setting, not an "
                       "argument: a caller may not lower the bar");
      } else {
        throw bad_args("unknown argument '" + key + "' (known: parent_pid)");
      }
    }
    return out;
  }

  tool_outcome run(const json& args, tool_env& env) override {
    auto threshold = bar_.min_cpu_percent;
    auto sample_ms = bar_.sample_ms;
    auto max_kills = bar_.max_kills;
    auto rounds = bar_.rounds;
    pid_t parent = args.contains("parent_pid") ? args["parent_pid"].get<pid_t>() : 0;
    auto stack = service_pids(env);
    auto killed = json::array();
    std::map<pid_t, json> spared; // by pid: a process spared in several rounds once
    // More busy processes than cores share them: once the busiest are gone
    // the others get a whole core, so sample again until a round kills none.
    for (int64_t round = 0; round < rounds && killed.size() < max_kills; ++round) {
      auto before = killed.size();
      kill_round(threshold, sample_ms, max_kills, parent, stack, killed, spared);
      if (killed.size() == before)
        break;
    }
    auto spared_list = json::array();
    for (auto& [pid, entry] : spared)
      spared_list.push_back(entry);
    tool_outcome out;
    out.output = {{"killed", killed},
                  {"spared", spared_list},
                  {"min_cpu_percent", threshold},
                  {"sample_ms", sample_ms}};
    if (killed.empty()) {
      out.detail = "no killable process above " + std::to_string(static_cast<int>(threshold))
                   + "% CPU (" + std::to_string(spared_list.size()) + " busy ones spared)";
      return out;
    }
    out.detail = "killed " + std::to_string(killed.size()) + " runaway process"
                 + (killed.size() == 1 ? "" : "es") + ":";
    for (auto& k : killed)
      out.detail += " " + k["command"].get<std::string>() + " (pid "
                    + std::to_string(k["pid"].get<int>()) + ", "
                    + std::to_string(k["cpu_percent"].get<int64_t>()) + "% CPU)";
    return out;
  }

private:
  /// One sample of every process's CPU over `sample_ms`, then SIGKILL to
  /// those at or above `threshold` that may be killed, busiest first.
  void kill_round(double threshold, int64_t sample_ms, size_t max_kills, pid_t parent,
                  const std::set<pid_t>& stack, json& killed,
                  std::map<pid_t, json>& spared) const {
    auto first = services::read_process_table();
    auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(sample_ms));
    auto second = services::read_process_table();
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // A family: processes one parent forked under one name (a worker pool,
    // a fork bomb). More of them than cores share the CPU, so each may show
    // under the bar while together they take it: in a family over twice the
    // bar, each member using at least a quarter of it is busy.
    auto sampled = services::cpu_between(first, second, seconds, threshold / 4);
    std::map<std::pair<pid_t, std::string>, double> family_cpu;
    for (auto& c : sampled)
      family_cpu[{c.proc.ppid, c.proc.comm}] += c.cpu_percent;
    std::vector<services::cpu_use> busy;
    for (auto& c : sampled)
      if (c.cpu_percent >= threshold || family_cpu[{c.proc.ppid, c.proc.comm}] >= threshold * 2)
        busy.push_back(c);
    std::sort(busy.begin(), busy.end(),
              [](auto& x, auto& y) { return x.cpu_percent > y.cpu_percent; });
    for (auto& c : busy) {
      auto why = spare_reason(c.proc, second, stack, parent);
      auto entry = json{{"pid", c.proc.pid},
                        {"command", c.proc.comm},
                        {"cpu_percent", static_cast<int64_t>(c.cpu_percent + 0.5)}};
      if (!why.empty()) {
        entry["spared"] = why;
        spared[c.proc.pid] = entry;
        continue;
      }
      if (killed.size() >= max_kills)
        break;
      // The pid is still the sampled process (not reused) right before the kill.
      auto again = services::read_process(c.proc.pid);
      if (!again || again->start_ticks != c.proc.start_ticks)
        continue;
      if (::kill(c.proc.pid, SIGKILL) == 0)
        killed.push_back(entry);
    }
  }

  /// The stack's services: never killed, nor anything in their process
  /// groups. Without the list nothing is killed (it could be one of them).
  std::set<pid_t> service_pids(tool_env& env) const {
    auto manager = env.services ? env.services() : service_manager_actor{};
    if (!manager)
      throw tool_failure("the service manager is not running: cannot tell the stack's "
                         "services from runaway processes");
    auto list = detail::blocking_ask<std::vector<service_status>>(
      env.system, manager, std::chrono::seconds(10), "list the services", svc_list_atom::value);
    std::set<pid_t> pids;
    for (auto& s : list)
      if (s.pid > 0)
        pids.insert(s.pid);
    return pids;
  }

  /// Why a busy process must live; empty: it may be killed.
  std::string spare_reason(const services::process_sample& p, const services::process_table& procs,
                           const std::set<pid_t>& stack, pid_t parent) const {
    if (parent > 0 && !services::descends_from(p.pid, parent, procs))
      return "not a descendant of " + std::to_string(parent);
    return services::why_not_outside(p, procs, stack, protect_);
  }

  std::set<std::string> protect_;
  kill_bar bar_;
};

} // namespace

tool_ptr make_kill_process(const actions_config& cfg) {
  return std::make_unique<kill_process>(cfg);
}

} // namespace vigil::actions
