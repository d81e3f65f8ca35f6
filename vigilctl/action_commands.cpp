#include "vigilctl/action_commands.hpp"

#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

#include "messages/actions_json.hpp"
#include "vigilctl/finish.hpp"
#include "vigilctl/render.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;

/// The result with its output as an object (not a string of JSON).
json result_json(const vigil::action_result& r) {
  json j = r;
  auto output = json::parse(r.output, nullptr, false);
  if (!output.is_discarded())
    j["output"] = output;
  return j;
}


std::string who_asks() {
  auto* user = std::getenv("USER");
  return std::string{"vigilctl:"} + (user != nullptr && *user != '\0' ? user : "unknown");
}

} // namespace

void add_actions_command(CLI::App& app, actions_line& line, std::string& command_name) {
  auto* actions = app.add_subcommand(
    "actions", "The action plane: its tools, one tool run, the audit log: tools, run, audit");
  actions->group("Commands");
  actions->require_subcommand(1);
  actions->callback([&command_name] { command_name = "actions"; });
  auto* tools = actions->add_subcommand("tools", "List the tools: name, risk, arguments");
  tools->callback([&line] { line.action = "tools"; });
  auto* run = actions->add_subcommand(
    "run", "Run one tool through the plane (policy, idempotency, audit as for the agents)");
  run->callback([&line] { line.action = "run"; });
  run->add_option("TOOL", line.tool, "the tool's name, as `actions tools` lists it")
    ->required()
    ->type_name("");
  run->add_option("--args", line.args, "its arguments, a JSON object (quote it)")
    ->capture_default_str()
    ->type_name("JSON");
  run->add_option("--key", line.key,
                  "idempotency key: the same key never runs twice, it gets the first result")
    ->required()
    ->type_name("KEY");
  run->add_option("--approved-by", line.approved_by,
                  "who approved it, e.g. human:alice (high-risk tools need it)")
    ->type_name("WHO");
  run->add_option("--incident", line.incident, "the incident it serves")->type_name("ID");
  auto* audit = actions->add_subcommand(
    "audit", "Show the audit log: before/after every run, every refusal (newest last)");
  audit->callback([&line] { line.action = "audit"; });
  audit->add_option("--incident", line.incident, "only rows of this incident")
    ->type_name("ID");
  audit->add_option("--limit", line.limit, "at most this many rows (the newest)")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000));
}

int run_actions(client& node, const actions_line& line, bool as_json, std::ostream& out,
                std::ostream& err) {
  if (line.action == "tools")
    return finish(node.action_tools(), as_json, out, err, [&](const auto& tools) {
      if (!as_json)
        for (auto& t : tools)
          out << t.name << "  [" << t.risk << " risk]  " << t.summary << "\n"
              << "    args: " << t.args << "\n";
      return json(tools);
    });
  if (line.action == "run") {
    auto args = json::parse(line.args, nullptr, false);
    if (args.is_discarded() || !args.is_object()) {
      if (as_json)
        err << json{{"error", "--args: expected a JSON object"}}.dump() << "\n";
      else
        err << "vigilctl: --args: expected a JSON object, e.g. '{\"service\": \"shopd\"}'\n";
      return 1;
    }
    vigil::action_request req;
    req.tool = line.tool;
    req.args = args.dump();
    req.idempotency_key = line.key;
    req.incident = line.incident;
    req.requested_by = who_asks();
    req.approved_by = line.approved_by;
    return finish(node.act(req), as_json, out, err, [&](const auto& r) {
      if (!as_json) {
        out << r.tool << " [" << r.idempotency_key << "]: " << r.status << ": " << r.detail
            << "\n";
        if (r.repeated)
          out << "(answered from the first run of this key; nothing ran now)\n";
        else
          out << "took " << (r.finished_unix_ms - r.started_unix_ms) << " ms\n";
      }
      return result_json(r);
    });
  }
  if (line.action == "audit")
    return finish(node.audit(line.incident, line.limit), as_json, out, err,
                  [&](const auto& rows) {
                    if (!as_json) {
                      if (rows.empty())
                        out << "no audit records\n";
                      for (auto& a : rows) {
                        out << a.seq << "  " << date_time(a.at_unix_ms) << "  " << a.phase
                            << "  " << a.tool << " " << a.args << "  [" << a.idempotency_key
                            << "]";
                        if (!a.status.empty())
                          out << "  " << a.status;
                        out << "  by " << a.requested_by;
                        if (!a.approved_by.empty())
                          out << ", approved by " << a.approved_by;
                        if (!a.detail.empty())
                          out << "\n      " << a.detail;
                        out << "\n";
                      }
                    }
                    return json(rows);
                  });
  err << "vigilctl: unknown actions command '" << line.action << "'\n";
  return 2;
}

} // namespace vigilctl
