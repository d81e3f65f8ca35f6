#include "vigilctl/diagnose_commands.hpp"

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "messages/incidents_json.hpp"
#include "vigilctl/finish.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;

using vigil::now_unix_ms;

std::string age(int64_t at, int64_t now) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", (now - at) / 1000.0);
  return text;
}

std::string one_line(std::string text, size_t max = 120) {
  for (auto& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text.size() <= max ? text : text.substr(0, max) + "...";
}

void print_signals(std::ostream& out, const std::vector<vigil::signal_value>& signals,
                   const std::string& prefix) {
  auto now = now_unix_ms();
  size_t width = 6;
  size_t shown = 0;
  for (auto& s : signals)
    if (s.name.rfind(prefix, 0) == 0)
      width = std::max(width, s.name.size());
  out << "SIGNAL" << std::string(width - 6 + 2, ' ') << "AGE     VALUE\n";
  for (auto& s : signals) {
    if (s.name.rfind(prefix, 0) != 0)
      continue;
    ++shown;
    auto a = age(s.at_unix_ms, now);
    out << s.name << std::string(width - s.name.size() + 2, ' ') << a
        << std::string(a.size() < 8 ? 8 - a.size() : 1, ' ') << one_line(s.text) << "\n";
  }
  if (shown == 0)
    out << "(no signals" << (prefix.empty() ? "" : " starting with " + prefix) << ")\n";
}

void print_hypotheses(std::ostream& out, const std::vector<vigil::hypothesis>& hs) {
  size_t n = 0;
  for (auto& h : hs) {
    char conf[16];
    std::snprintf(conf, sizeof conf, "%3.0f%%", h.confidence * 100);
    out << ++n << ". " << conf << "  " << h.root_cause
        << (h.component.empty() ? "" : " on " + h.component) << (h.runbook.empty() ? "" : "  (" + h.runbook + ")") << "\n";
    out << "   " << h.title << "\n";
    for (auto& e : h.evidence_for)
      out << "   + " << one_line(e, 160) << "\n";
    for (auto& e : h.evidence_against)
      out << "   - " << one_line(e, 160) << "\n";
    if (!h.blast_radius.empty()) {
      out << "   blast radius:";
      for (auto& s : h.blast_radius)
        out << " " << s;
      out << "\n";
    }
  }
}

} // namespace

void add_diagnose_commands(CLI::App& app, diagnose_line& line, std::string& command_name) {
  auto* signals = app.add_subcommand(
    "signals", "Perception's signal table: every signal, its value and when it was last seen");
  signals->group("Commands");
  signals->callback([&command_name] { command_name = "signals"; });
  signals->add_option("--prefix", line.prefix, "only signals whose name starts with this")
    ->type_name("P");
  auto* diagnose = app.add_subcommand(
    "diagnose", "Diagnose the current signals as if an incident were open: ranked root causes");
  diagnose->group("Commands");
  diagnose->callback([&command_name] { command_name = "diagnose"; });
  diagnose->add_option("--service", line.service,
                       "describe only this service's symptoms to the knowledge store")
    ->type_name("S");
}

int run_diagnose_command(client& node, const std::string& name, const diagnose_line& line,
                         bool as_json, std::ostream& out, std::ostream& err) {
  if (name == "signals")
    return finish(node.signals(), as_json, out, err, [&](const auto& signals) {
      if (!as_json)
        print_signals(out, signals, line.prefix);
      auto all = json::array();
      for (auto& s : signals)
        if (s.name.rfind(line.prefix, 0) == 0)
          all.push_back(s);
      return all;
    });
  if (name == "diagnose") {
    vigil::incident inc;
    inc.id = "adhoc-" + std::to_string(now_unix_ms());
    inc.title = "vigilctl diagnose";
    if (!line.service.empty())
      inc.services.push_back(line.service);
    inc.started_unix_ms = inc.opened_unix_ms = now_unix_ms();
    return finish(node.diagnose(inc), as_json, out, err, [&](const auto& hypotheses) {
      if (!as_json)
        print_hypotheses(out, hypotheses);
      return json(hypotheses);
    });
  }
  err << "vigilctl: unknown command '" << name << "'\n";
  return 2;
}

} // namespace vigilctl
