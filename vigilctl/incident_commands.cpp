#include "vigilctl/incident_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/incidents_json.hpp"
#include "vigilctl/finish.hpp"
#include "vigilctl/render.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;
using row = std::vector<std::string>;

using vigil::now_unix_ms;

std::string clip(const std::string& text, size_t width) {
  auto clean = printable(text);
  return clean.size() <= width ? clean : clean.substr(0, width - 3) + "...";
}

std::string seconds(int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", ms / 1000.0);
  return text;
}

std::string percent(double ratio) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", ratio * 100);
  return text;
}


std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (auto& x : items)
    text += (text.empty() ? "" : ", ") + printable(x);
  return text.empty() ? "-" : text;
}

/// The root cause being worked on, with its confidence: "process_crash 90%".
std::string root_cause(const vigil::incident& x) {
  if (x.hypotheses.empty())
    return "-";
  auto i = std::min<size_t>(x.hypothesis_index, x.hypotheses.size() - 1);
  auto& h = x.hypotheses[i];
  return printable(h.root_cause) + (h.component.empty() ? "" : " on " + printable(h.component))
         + " " + percent(h.confidence);
}

/// The check of a step in words: "probe.shopd.http.status is ok within 30 s".
std::string check_text(const std::string& check) {
  auto c = json::parse(check, nullptr, false);
  if (!c.is_object() || !c.contains("signal"))
    return "-";
  std::string text = c.value("signal", "?");
  for (auto* op : {"is", "is_not", "contains", "above", "below"})
    if (c.contains(op))
      text += std::string{" "} + op + " "
              + (c[op].is_string() ? c[op].get<std::string>() : c[op].dump());
  if (c.contains("within_s"))
    text += " within " + c["within_s"].dump() + " s";
  return printable(text);
}

void print_incidents(std::ostream& out, const std::vector<vigil::incident>& list, bool all) {
  if (list.empty()) {
    out << (all ? "no incidents\n" : "no open incidents (--all shows closed ones too)\n");
    return;
  }
  auto now = now_unix_ms();
  std::vector<row> rows{{"ID", "STATE", "OPENED", "SERVICES", "ROOT CAUSE", "STEPS", "TITLE"}};
  for (auto& x : list) {
    auto done = std::count_if(x.plan.begin(), x.plan.end(), [](const vigil::plan_step& s) {
      return s.state == vigil::step_state::done || s.state == vigil::step_state::verified
             || s.state == vigil::step_state::not_verified;
    });
    rows.push_back({printable(x.id), to_string(x.state), format_age(x.opened_unix_ms, now),
                    clip(joined(x.services), 30), root_cause(x),
                    std::to_string(done) + "/" + std::to_string(x.plan.size()),
                    clip(x.title, 60)});
  }
  print_table(out, rows);
}

struct moment {
  int64_t at;
  std::string what;
};

/// What happened when, from the incident's own timestamps.
std::vector<moment> timeline(const vigil::incident& x) {
  std::vector<moment> result;
  auto add = [&](int64_t at, std::string what) {
    if (at > 0)
      result.push_back({at, std::move(what)});
  };
  add(x.started_unix_ms, "first symptom");
  add(x.opened_unix_ms, "incident opened (detected)");
  for (auto& s : x.plan) {
    auto name = "step " + std::to_string(s.index) + " " + s.tool;
    if (s.approval_wait_ms > 0 && s.started_unix_ms > 0)
      add(s.started_unix_ms - 1, name + " approved by " + s.approved_by + " after "
                                   + seconds(s.approval_wait_ms));
    add(s.started_unix_ms, name + " started"
                             + (s.approved_by.empty() ? "" : " (approved by " + s.approved_by + ")"));
    add(s.finished_unix_ms, name + " " + to_string(s.state)
                              + (s.result.empty() ? "" : ": " + s.result));
  }
  if (x.mitigated_unix_ms > 0)
    add(x.mitigated_unix_ms, "recovery verified (mitigated)");
  if (x.closed_unix_ms > 0)
    add(x.closed_unix_ms, x.state == vigil::incident_state::escalated ? "escalated: " + x.escalation
                                                                   : to_string(x.state));
  std::stable_sort(result.begin(), result.end(),
                   [](const moment& a, const moment& b) { return a.at < b.at; });
  return result;
}

void print_incident(std::ostream& out, const vigil::incident& x) {
  auto now = now_unix_ms();
  out << printable(x.id) << " [" << to_string(x.state) << "] " << printable(x.title) << "\n";
  out << "services: " << joined(x.services) << "\n";
  out << "opened " << format_age(x.opened_unix_ms, now);
  if (x.started_unix_ms > 0 && x.opened_unix_ms >= x.started_unix_ms)
    out << " (detected " << seconds(x.opened_unix_ms - x.started_unix_ms)
        << " after the first symptom)";
  out << "\n";
  if (x.mitigated_unix_ms > 0) {
    auto from = x.started_unix_ms > 0 ? x.started_unix_ms : x.opened_unix_ms;
    out << "mitigated " << format_age(x.mitigated_unix_ms, now) << ": time to mitigate "
        << seconds(x.mitigated_unix_ms - from - x.approval_wait_ms)
        << (x.approval_wait_ms > 0 ? " (plus " + seconds(x.approval_wait_ms)
                                       + " waiting for approval)"
                                   : std::string{})
        << "\n";
  }
  if (!x.escalation.empty())
    out << "escalated: " << printable(x.escalation) << "\n";
  out << "\nsymptoms:\n";
  for (auto& s : x.symptoms)
    out << "  - " << printable(s) << "\n";
  if (x.symptoms.empty())
    out << "  -\n";
  out << "\nhypotheses:\n";
  for (size_t i = 0; i < x.hypotheses.size(); ++i) {
    auto& h = x.hypotheses[i];
    out << "  " << (i + 1) << ". " << printable(h.root_cause)
        << (h.component.empty() ? "" : " on " + printable(h.component)) << " "
        << percent(h.confidence) << (h.runbook.empty() ? "" : "  runbook " + printable(h.runbook))
        << (i == x.hypothesis_index && !x.plan.empty() ? "  <- planned" : "") << "\n";
    if (!h.title.empty())
      out << "     " << printable(h.title) << "\n";
    for (auto& e : h.evidence_for)
      out << "     + " << printable(e) << "\n";
    for (auto& e : h.evidence_against)
      out << "     - " << printable(e) << "\n";
    if (!h.blast_radius.empty())
      out << "     blast radius: " << joined(h.blast_radius) << "\n";
  }
  if (x.hypotheses.empty())
    out << "  (not diagnosed yet)\n";
  out << "\nplan:\n";
  for (auto& s : x.plan) {
    out << "  " << s.index << ". " << printable(s.tool) << " " << printable(s.args) << "  ["
        << to_string(s.risk) << " risk]  " << to_string(s.state);
    if (!s.approved_by.empty())
      out << ", approved by " << printable(s.approved_by);
    if (!s.approval_id.empty())
      out << " (" << printable(s.approval_id) << ")";
    out << "\n";
    if (!s.why.empty())
      out << "     why: " << printable(s.why) << "\n";
    out << "     check: " << check_text(s.check) << "; on failure: " << to_string(s.on_failure)
        << "\n";
    if (!s.result.empty())
      out << "     result: " << printable(s.result) << "\n";
    if (!s.verification.empty())
      out << "     verification: " << printable(s.verification) << "\n";
  }
  if (x.plan.empty())
    out << "  (no plan yet)\n";
  out << "\ntimeline (UTC):\n";
  for (auto& m : timeline(x))
    out << "  " << time_of_day(m.at) << "  " << printable(m.what) << "\n";
  if (!x.postmortem_path.empty())
    out << "\npostmortem: " << printable(x.postmortem_path) << "\n";
  if (!x.brief.empty()) {
    out << "\nbrief:\n" << x.brief;
    if (x.brief.back() != '\n')
      out << "\n";
  }
}

void print_approvals(std::ostream& out, const std::vector<vigil::approval>& list, bool all) {
  if (list.empty()) {
    out << (all ? "no approvals\n" : "no pending approvals (--all shows decided ones too)\n");
    return;
  }
  auto now = now_unix_ms();
  std::vector<row> rows{
    {"ID", "STATE", "INCIDENT", "STEP", "TOOL", "ARGS", "REQUESTED", "DECISION"}};
  for (auto& a : list) {
    std::string decision;
    if (a.state == vigil::approval_state::pending) {
      auto left = (a.expires_unix_ms - now) / 1000;
      decision = "expires in " + std::to_string(std::max<int64_t>(left, 0)) + " s";
    } else {
      decision = printable(a.decided_by) + " " + format_age(a.decided_unix_ms, now)
                 + (a.reason.empty() ? "" : ": " + clip(a.reason, 40));
    }
    rows.push_back({printable(a.id), to_string(a.state), printable(a.incident),
                    std::to_string(a.step), printable(a.tool), clip(a.args, 40),
                    format_age(a.requested_unix_ms, now), decision});
  }
  print_table(out, rows);
  for (auto& a : list)
    if (a.state == vigil::approval_state::pending && !a.why.empty())
      out << printable(a.id) << ": " << printable(a.why) << "\n";
}

std::string default_decider() {
  for (auto* name : {"USER", "LOGNAME"})
    if (auto* value = std::getenv(name); value != nullptr && *value != '\0')
      return std::string{"human:"} + value;
  return "human:unknown";
}

} // namespace

void add_incident_commands(CLI::App& app, incidents_line& line, std::string& command_name) {
  auto named = [&](CLI::App* sub, const char* name) {
    sub->group("Commands");
    sub->callback([&command_name, name] { command_name = name; });
    return sub;
  };
  auto* incidents = named(
    app.add_subcommand("incidents",
                       "List incidents (open ones unless --all): state, services, root cause"),
    "incidents");
  incidents->add_flag("--all", line.all, "closed incidents too");
  incidents->add_option("--limit", line.limit, "at most this many, newest first")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000));
  auto* incident = named(
    app.add_subcommand("incident",
                       "Show one incident: hypotheses, plan with each step's result, timeline"),
    "incident");
  incident->add_option("ID", line.id, "incident id, as `incidents` lists it")
    ->required()
    ->type_name("");
  auto* approvals = named(
    app.add_subcommand("approvals", "List approval requests (pending ones unless --all)"),
    "approvals");
  approvals->add_flag("--all", line.all, "decided and expired ones too");
  for (auto* verb : {"approve", "reject"}) {
    auto* summary = std::string{verb} == "approve"
                      ? "Approve a pending step: it runs (recorded with who and why)"
                      : "Reject a pending step: it does not run and the incident escalates";
    auto* sub = named(app.add_subcommand(verb, summary), verb);
    sub->add_option("ID", line.id, "approval id, as `approvals` lists it")
      ->required()
      ->type_name("");
    sub->add_option("--as", line.who, "who decides, as KIND:NAME (default human:$USER)")
      ->type_name("WHO");
    sub->add_option("--reason", line.reason, "why, for the record")->type_name("TEXT");
  }
  auto* agents = named(
    app.add_subcommand("agents", "Pause the agents (detect, do not act) or resume them"),
    "agents");
  agents->add_option("ACTION", line.action, "pause or resume")
    ->required()
    ->type_name("pause|resume")
    ->check(CLI::IsMember({"pause", "resume"}));
}

bool is_incident_command(const std::string& name) {
  for (auto* x : {"incidents", "incident", "approvals", "approve", "reject", "agents"})
    if (name == x)
      return true;
  return false;
}

int run_incident_command(client& node, const std::string& command, const incidents_line& line,
                         bool as_json, std::ostream& out, std::ostream& err) {
  if (command == "incidents")
    return finish(node.incidents(!line.all, line.limit), as_json, out, err,
                  [&](const auto& list) {
                    if (!as_json)
                      print_incidents(out, list, line.all);
                    return json(list);
                  });
  if (command == "incident")
    return finish(node.incident(line.id), as_json, out, err, [&](const auto& x) {
      if (!as_json)
        print_incident(out, x);
      return json(x);
    });
  if (command == "approvals")
    return finish(node.approvals(!line.all), as_json, out, err, [&](const auto& list) {
      if (!as_json)
        print_approvals(out, list, line.all);
      return json(list);
    });
  if (command == "approve" || command == "reject") {
    auto who = line.who.empty() ? default_decider() : line.who;
    return finish(node.decide(line.id, command == "approve", who, line.reason), as_json, out,
                  err, [&](const vigil::approval& a) {
                    if (!as_json)
                      out << printable(a.id) << " " << to_string(a.state) << " by "
                          << printable(a.decided_by) << ": " << printable(a.tool) << " "
                          << printable(a.args) << " of " << printable(a.incident)
                          << (a.reason.empty() ? "" : " (" + printable(a.reason) + ")") << "\n";
                    return json(a);
                  });
  }
  if (command == "agents")
    return finish(node.pause_agents(line.action == "pause"), as_json, out, err,
                  [&](bool paused) {
                    if (!as_json)
                      out << (paused ? "agents paused: they detect and diagnose, they do not act\n"
                                     : "agents resumed: acting again\n");
                    return json{{"paused", paused}};
                  });
  err << "vigilctl: unknown incident command '" << command << "'\n";
  return 2;
}

} // namespace vigilctl
