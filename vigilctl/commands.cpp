// The admin commands: one table drives parsing, help and dispatch, so a new
// command is added in one place.
#include "vigilctl/commands.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

#include "vigilctl/probe_commands.hpp"
#include "vigilctl/render.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl {

namespace {

/// `service_action` is the one command of two positionals and an option:
/// service ACTION NAME [--node-id NODE].
enum class arity { none, optional, required, service_action };

struct command_spec {
  const char* name;
  const char* argument; ///< Placeholder shown in help, e.g. "NODE".
  arity takes;
  const char* summary;
  const char* argument_help;
};

const command_spec specs[] = {
  {"nodes", "", arity::none,
   "List the cluster's nodes: address, roles, status, last heartbeat, actors",
   ""},
  {"tree", "NODE", arity::optional,
   "Show the supervision tree of NODE, or of every node", "node id"},
  {"ping", "NODE", arity::required,
   "Measure the round trip from the connected node to NODE", "node id"},
  {"kill", "ACTOR", arity::required,
   "Kill ACTOR untrappably, wherever it runs (its supervisor decides next)",
   "registered actor name, e.g. node/role/actor"},
  {"stop", "NODE", arity::required, "Stop NODE gracefully", "node id"},
  {"services", "NODE", arity::optional,
   "List the stack's services of NODE (default: the action node): state, pid, memory",
   "node id"},
  {"service", "start|stop|restart|status NAME", arity::service_action,
   "Start, stop, restart or show one service [--node-id NODE]", ""},
  {"probes", "", arity::none,
   "Show the latest result of each probe: kind, target, status, latency, detail, age", ""},
  {"metrics", "SERVICE", arity::required,
   "Show the series the probes scraped from SERVICE's /metrics", "service name"},
};

std::string usage(const command_spec& spec) {
  std::string text = spec.name;
  if (spec.takes == arity::service_action)
    text += std::string{" "} + spec.argument;
  else if (spec.takes == arity::optional)
    text += std::string{" ["} + spec.argument + "]";
  else if (spec.takes == arity::required)
    text += std::string{" "} + spec.argument;
  return text;
}

using vigil::now_unix_ms;

template <class T, class Render>
int finish(const reply<T>& result, format fmt, std::ostream& err,
           Render render) {
  if (!result) {
    render_error(err, result.error(), fmt);
    return 1;
  }
  render(*result);
  return 0;
}

} // namespace

void add_commands(CLI::App& app, command_line& cmd) {
  add_chaos_command(app, cmd.chaos, cmd.name);
  add_runbooks_command(app, cmd.runbooks, cmd.name);
  add_status_commands(app, cmd.status, cmd.name);
  add_events_commands(app, cmd.events, cmd.name);
  add_incident_commands(app, cmd.incidents, cmd.name);
  add_drill_command(app, cmd.drill, cmd.name);
  add_actions_command(app, cmd.actions, cmd.name);
  add_diagnose_commands(app, cmd.diagnose, cmd.name);
  for (const auto& spec : specs) {
    auto* sub = app.add_subcommand(spec.name, spec.summary);
    sub->group("Commands");
    std::string name = spec.name;
    sub->callback([&cmd, name] { cmd.name = name; });
    if (spec.takes == arity::service_action) {
      sub->add_option("ACTION", cmd.action, "start, stop, restart or status")
        ->required()
        ->type_name("")
        ->check(CLI::IsMember({"start", "stop", "restart", "status"}));
      sub->add_option("NAME", cmd.service, "service name, as in the services file")
        ->required()
        ->type_name("");
      sub->add_option("--node-id", cmd.node_id,
                      "node running the service (default: the action node)")
        ->type_name("NODE");
    } else if (spec.takes != arity::none) {
      auto* opt = sub->add_option(spec.argument, cmd.argument,
                                  spec.argument_help);
      opt->type_name("");
      if (spec.takes == arity::required)
        opt->required();
    }
  }
}

int run_command(client& node, const command_line& cmd, std::ostream& out,
                std::ostream& err) {
  auto fmt = cmd.json ? format::json : format::text;
  if (cmd.name == "nodes")
    return finish(node.nodes(), fmt, err, [&](const auto& nodes) {
      render_nodes(out, nodes, fmt, now_unix_ms());
    });
  if (cmd.name == "tree")
    return finish(node.tree(cmd.argument), fmt, err, [&](const auto& trees) {
      render_trees(out, trees, fmt, now_unix_ms());
    });
  if (cmd.name == "ping")
    return finish(node.ping(cmd.argument), fmt, err, [&](const auto& result) {
      render_ping(out, result, fmt);
    });
  if (cmd.name == "kill")
    return finish(node.kill(cmd.argument), fmt, err, [&](const auto& ack) {
      render_ack(out, ack, "killed", fmt);
    });
  if (cmd.name == "stop")
    return finish(node.stop(cmd.argument), fmt, err, [&](const auto& ack) {
      render_ack(out, ack, "stopping", fmt);
    });
  if (cmd.name == "services")
    return finish(node.services(cmd.argument), fmt, err, [&](const auto& services) {
      render_services(out, services, fmt, now_unix_ms());
    });
  if (cmd.name == "service")
    return finish(node.service(cmd.action, cmd.node_id, cmd.service), fmt, err,
                  [&](const auto& status) { render_service(out, status, fmt, now_unix_ms()); });
  if (cmd.name == "chaos")
    return run_chaos(node, cmd.chaos, cmd.json, out, err);
  if (cmd.name == "runbooks")
    return run_runbooks(node, cmd.runbooks, cmd.json, out, err);
  if (cmd.name == "probes")
    return run_probes(node, fmt, out, err);
  if (cmd.name == "metrics")
    return run_metrics(node, cmd.argument, fmt, out, err);
  if (cmd.name == "events" || cmd.name == "bus")
    return run_events_command(node, cmd.name, cmd.events, cmd.json, out, err);
  if (cmd.name == "status" || cmd.name == "traffic")
    return run_status_command(node, cmd.name, cmd.status, cmd.json, out, err);
  if (is_incident_command(cmd.name))
    return run_incident_command(node, cmd.name, cmd.incidents, cmd.json, out, err);
  if (cmd.name == "drill")
    return run_drill(node, cmd.drill, cmd.json, out, err);
  if (cmd.name == "actions")
    return run_actions(node, cmd.actions, cmd.json, out, err);
  if (cmd.name == "signals" || cmd.name == "diagnose")
    return run_diagnose_command(node, cmd.name, cmd.diagnose, cmd.json, out, err);
  // Only reachable if specs and this dispatch disagree.
  render_error(err, "no handler for command '" + cmd.name + "'", fmt);
  return 1;
}

void print_command_summary(std::ostream& out) {
  size_t width = 0;
  for (const auto& spec : specs)
    width = std::max(width, usage(spec).size());
  out << "Commands (add --json for JSON, --help for details):\n";
  auto line = [&](const std::string& left, const std::string& right) {
    // A usage longer than the table's column still gets a gap.
    out << "  " << left << std::string(std::max<size_t>(width + 3, left.size() + 2) - left.size(), ' ')
        << right << '\n';
  };
  for (const auto& spec : specs)
    line(usage(spec), spec.summary);
  line("chaos faults|inject|active|revert|stop|schedule|log", "Break the stack on purpose (see chaos --help)");
  line("runbooks search TEXT|show ID", "Find the runbook for a symptom (see runbooks --help)");
  line("status", "Each service's health, SLIs, last change and reason");
  line("traffic [--ids]", "The synthetic traffic's SLIs and acknowledged orders");
  line("events [--since 10m] [--topic PREFIX] [--limit N]", "Recent events on the bus");
  line("bus", "The event bus and its ops store writer");
  line("incidents [--all] [--limit N]", "Incidents: state, services, root cause, steps");
  line("incident ID", "One incident: hypotheses, plan and results, timeline");
  line("approvals [--all]", "Steps waiting for a human (and decided ones with --all)");
  line("approve|reject ID [--as WHO] [--reason TEXT]", "Decide a pending step");
  line("agents pause|resume", "Stop the agents acting (they still detect), or resume");
  line("signals [--prefix P]", "Perception's signal table");
  line("diagnose [--service S]", "Ranked root causes for the current signals");
  line("actions tools|run TOOL --key K|audit", "The action plane: tools, a run, the audit log");
  line("drill campaign --count N --seed S", "A drill campaign and its scorecard (see drill --help)");
  line("drill report ID [--markdown]", "A stored campaign's scorecard and its misses");
  line("help", "Show this list");
  line("quit", "Leave the shell (also: exit, end of input)");
}

bool is_command(const std::string& name) {
  if (name == "chaos" || name == "status" || name == "traffic")
    return true;
  if (name == "runbooks" || name == "events" || name == "bus")
    return true;
  if (is_incident_command(name))
    return true;
  if (name == "drill")
    return true;
  if (name == "actions")
    return true;
  if (name == "signals" || name == "diagnose")
    return true;
  for (const auto& spec : specs)
    if (name == spec.name)
      return true;
  return false;
}

int report_parse_error(const CLI::App& app, const CLI::ParseError& e,
                       const std::string& hint) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
    return app.exit(e); // --help: prints the help of the chosen subcommand.
  std::string message = e.what();
  // CLI11 calls an unknown command an unexpected argument; say what it is.
  if (app.get_subcommands().empty() && !app.remaining().empty()
      && app.remaining().front().rfind('-', 0) != 0)
    message = "unknown command '" + app.remaining().front() + "'";
  std::cerr << "vigilctl: " << message << '\n' << hint << '\n';
  return 2;
}

} // namespace vigilctl
