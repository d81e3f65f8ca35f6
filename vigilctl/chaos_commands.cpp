#include "vigilctl/chaos_commands.hpp"

#include <nlohmann/json.hpp>

#include "messages/chaos_json.hpp"
#include "vigilctl/finish.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;

template <class T>
json list_json(const std::vector<T>& xs) {
  auto result = json::array();
  for (auto& x : xs)
    result.push_back(vigil::to_json(x));
  return result;
}

void print_event(std::ostream& out, const vigil::chaos_event& e) {
  out << "#" << e.seq << " " << e.phase << " " << e.fault;
  if (!e.injection_id.empty())
    out << " (" << e.injection_id << ")";
  if (!e.label.empty())
    out << " [" << e.label << "]";
  out << ": " << e.detail << "\n";
}

/// k=v pairs as a JSON object of strings (the chaos node checks the types).
std::string params_json(const std::vector<std::string>& pairs) {
  json params = json::object();
  for (auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CLI::ValidationError("--param", "expected KEY=VALUE, got '" + pair + "'");
    params[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return params.dump();
}

} // namespace

void add_chaos_command(CLI::App& app, chaos_line& line, std::string& command_name) {
  auto* chaos = app.add_subcommand("chaos", "Break the stack on purpose: faults, inject, active, "
                                            "revert, stop, schedule, log");
  chaos->group("Commands");
  chaos->require_subcommand(1);
  chaos->callback([&command_name] { command_name = "chaos"; });
  auto sub = [&](const char* name, const char* help) {
    auto* s = chaos->add_subcommand(name, help);
    s->callback([&line, name] { line.action = name; });
    return s;
  };
  sub("faults", "List the fault catalogue: label, risk, parameters");
  auto* inject = sub("inject", "Inject FAULT now (destructive faults need --approve)");
  inject->add_option("FAULT", line.fault, "fault name, as in `chaos faults`")->required();
  inject->add_option("--param", line.params, "a parameter KEY=VALUE (repeatable)")
    ->type_name("KEY=VALUE");
  inject->add_option("--duration", line.duration_s, "seconds until it is reverted (default: the fault's)")
    ->check(CLI::Range(1, 86400));
  inject->add_flag("--approve", line.approve, "approve a destructive fault");
  sub("active", "List the faults active now");
  auto* revert = sub("revert", "Revert one active fault now (restores a destructive one)");
  revert->add_option("ID", line.fault, "injection id, as in `chaos active`")->required();
  sub("stop", "Kill switch: revert every active fault now (and stop the schedule)");
  auto* schedule = sub("schedule", "Show the schedule, or turn the chaos monkey on or off");
  schedule->add_option("SWITCH", line.switch_to, "on or off")->check(CLI::IsMember({"on", "off"}));
  schedule->add_option("--mean-interval", line.mean_interval_s, "mean seconds between faults")
    ->check(CLI::Range(1.0, 86400.0));
  schedule->add_option("--faults", line.faults, "allowed faults (default: every safe one)")
    ->delimiter(',');
  schedule->add_option("--max-concurrent", line.max_concurrent, "faults at once")
    ->check(CLI::Range(1, 32));
  schedule->add_option("--min-duration", line.min_duration_s, "shortest fault, seconds");
  schedule->add_option("--max-duration", line.max_duration_s, "longest fault, seconds");
  schedule->add_option("--seed", line.seed, "seed: the same seed, the same faults");
  auto* log = sub("log", "Show the chaos log (every inject and revert with its label)");
  log->add_option("--after", line.after, "only entries after this sequence number");
}

int run_chaos(client& node, const chaos_line& line, bool as_json, std::ostream& out,
              std::ostream& err) {
  if (line.action == "faults")
    return finish(node.chaos_faults(), as_json, out, err, [&](const auto& kinds) {
      if (!as_json)
        for (auto& k : kinds) {
          out << k.name << " [" << k.label << ", " << k.risk << "] " << k.description << "\n";
          for (auto& p : k.params)
            out << "    --param " << p.name << "=" << p.default_value << "  " << p.help << "\n";
        }
      return list_json(kinds);
    });
  if (line.action == "inject") {
    vigil::injection_request req;
    req.fault = line.fault;
    try {
      req.params_json = params_json(line.params);
    } catch (const CLI::ValidationError& e) {
      err << "vigilctl: " << e.what() << "\n";
      return 1;
    }
    req.duration_s = line.duration_s;
    req.approved = line.approve;
    req.requested_by = "vigilctl";
    return finish(node.chaos_inject(req), as_json, out, err, [&](const auto& a) {
      if (!as_json)
        out << "injected " << a.fault << " as " << a.id << " [" << a.label << "]: " << a.detail
            << "\n";
      return vigil::to_json(a);
    });
  }
  if (line.action == "active")
    return finish(node.chaos_active(), as_json, out, err, [&](const auto& active) {
      if (!as_json) {
        if (active.empty())
          out << "no active faults\n";
        for (auto& a : active)
          out << a.id << " " << a.fault << " [" << a.label << "] " << a.detail << "\n";
      }
      return list_json(active);
    });
  if (line.action == "revert")
    return finish(node.chaos_revert(line.fault), as_json, out, err, [&](const auto& e) {
      if (!as_json)
        print_event(out, e);
      return vigil::to_json(e);
    });
  if (line.action == "stop")
    return finish(node.chaos_stop(), as_json, out, err, [&](const auto& events) {
      if (!as_json) {
        if (events.empty())
          out << "nothing was active\n";
        for (auto& e : events)
          print_event(out, e);
      }
      return list_json(events);
    });
  if (line.action == "schedule") {
    std::optional<vigil::chaos_schedule> set;
    if (!line.switch_to.empty()) {
      vigil::chaos_schedule s;
      s.on = line.switch_to == "on";
      s.mean_interval_s = line.mean_interval_s;
      s.faults = line.faults;
      s.max_concurrent = line.max_concurrent;
      s.min_duration_s = line.min_duration_s;
      s.max_duration_s = line.max_duration_s;
      s.seed = line.seed;
      set = s;
    }
    return finish(node.chaos_schedule(set), as_json, out, err, [&](const auto& s) {
      if (!as_json)
        out << "schedule " << (s.on ? "on" : "off") << ": mean interval " << s.mean_interval_s
            << " s, at most " << s.max_concurrent << " at once, seed " << s.seed << "\n";
      return vigil::to_json(s);
    });
  }
  if (line.action == "log")
    return finish(node.chaos_log(line.after), as_json, out, err, [&](const auto& events) {
      if (!as_json)
        for (auto& e : events)
          print_event(out, e);
      return list_json(events);
    });
  err << "vigilctl: unknown chaos command '" << line.action << "'\n";
  return 2;
}

} // namespace vigilctl
