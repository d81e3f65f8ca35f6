#include "vigilctl/runbook_commands.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "vigilctl/finish.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;

json hit_json(const vigil::knowledge_hit& h) {
  return {{"id", h.id},     {"kind", h.kind}, {"title", h.title}, {"root_cause", h.root_cause},
          {"rank", h.rank}, {"passage", h.passage}};
}

json doc_json(const vigil::knowledge_doc& d) {
  return {{"id", d.id},
          {"kind", d.kind},
          {"title", d.title},
          {"root_cause", d.root_cause},
          {"path", d.path},
          {"meta", json::parse(d.meta, nullptr, false)},
          {"body", d.body}};
}

std::string fixed(double x, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, x);
  return text;
}

void print_hits(std::ostream& out, const std::vector<vigil::knowledge_hit>& hits) {
  if (hits.empty()) {
    out << "nothing matches\n";
    return;
  }
  for (auto& h : hits) {
    out << fixed(h.rank, 4) << "  " << h.id << "  [" << h.kind
        << (h.root_cause.empty() ? "" : ", " + h.root_cause) << "]  " << h.title << "\n";
    if (!h.passage.empty())
      out << "        " << h.passage << "\n";
  }
}

/// A condition of the front matter as one phrase: "signal is down".
std::string condition_text(const json& c) {
  std::string text = c.value("signal", "?");
  for (auto* op : {"is", "is_not", "contains", "above", "below"})
    if (c.contains(op))
      text += std::string{" "} + op + " "
              + (c[op].is_string() ? c[op].get<std::string>() : c[op].dump());
  return text;
}

void print_doc(std::ostream& out, const vigil::knowledge_doc& d) {
  out << d.id << " [" << d.kind << "] " << d.title << "\n";
  if (!d.root_cause.empty())
    out << "root cause: " << d.root_cause << "\n";
  if (!d.path.empty())
    out << "file: " << d.path << "\n";
  auto meta = json::parse(d.meta, nullptr, false);
  if (meta.is_object() && meta.contains("symptoms")) {
    out << "signals:\n";
    for (auto& s : meta["symptoms"])
      out << "  " << condition_text(s) << " (weight " << s.value("weight", 0.0) << ")\n";
  }
  if (meta.is_object() && meta.contains("steps")) {
    out << "steps:\n";
    size_t n = 0;
    for (auto& s : meta["steps"]) {
      out << "  " << ++n << ". " << s.value("tool", "?") << " "
          << (s.contains("args") ? s["args"].dump() : "{}") << " [risk " << s.value("risk", "?")
          << "]\n";
      if (s.contains("check"))
        out << "     check: " << condition_text(s["check"]) << " within "
            << s["check"].value("within_s", 60) << " s\n";
      if (s.contains("rollback")) {
        auto& r = s["rollback"];
        out << "     rollback: "
            << (r.contains("none") ? "none (" + r.value("none", "") + ")"
                                   : r.value("tool", "?") + " "
                                       + (r.contains("args") ? r["args"].dump() : "{}"))
            << "\n";
      }
    }
  }
  out << "\n" << d.body;
  if (!d.body.empty() && d.body.back() != '\n')
    out << "\n";
}

} // namespace

void add_runbooks_command(CLI::App& app, runbooks_line& line, std::string& command_name) {
  auto* runbooks = app.add_subcommand(
    "runbooks", "Find runbooks, stack docs and postmortems for a symptom: search, show");
  runbooks->group("Commands");
  runbooks->require_subcommand(1);
  runbooks->callback([&command_name] { command_name = "runbooks"; });
  auto* search = runbooks->add_subcommand(
    "search", "Rank runbooks, docs and postmortems against a symptom description");
  search->callback([&line] { line.action = "search"; });
  search->add_option("TEXT", line.text, "what you see, in your words (quote it)")
    ->required()
    ->type_name("");
  search->add_option("--limit", line.limit, "at most this many hits")
    ->capture_default_str()
    ->check(CLI::Range(1, 100));
  auto* show = runbooks->add_subcommand("show", "Show one runbook, doc or postmortem in full");
  show->callback([&line] { line.action = "show"; });
  show->add_option("ID", line.text, "its id, as `runbooks search` prints it")
    ->required()
    ->type_name("");
}

int run_runbooks(client& node, const runbooks_line& line, bool as_json, std::ostream& out,
                 std::ostream& err) {
  if (line.action == "search")
    return finish(node.search_knowledge(line.text, line.limit), as_json, out, err,
                  [&](const auto& hits) {
                    if (!as_json)
                      print_hits(out, hits);
                    auto all = json::array();
                    for (auto& h : hits)
                      all.push_back(hit_json(h));
                    return all;
                  });
  if (line.action == "show")
    return finish(node.knowledge_doc(line.text), as_json, out, err, [&](const auto& doc) {
      if (!as_json)
        print_doc(out, doc);
      return doc_json(doc);
    });
  err << "vigilctl: unknown runbooks command '" << line.action << "'\n";
  return 2;
}

} // namespace vigilctl
