#include "actors/agents/report_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include "messages/incidents_json.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;

constexpr size_t max_listed = 4;       // evidence / symptoms shown in a brief
constexpr size_t slack_block_chars = 2900; // Slack caps a section's text at 3000

std::string percent(double ratio) {
  return std::to_string(static_cast<int>(std::lround(ratio * 100))) + " %";
}

std::string join(const std::vector<std::string>& xs, const std::string& sep, size_t at_most) {
  std::string result;
  for (size_t i = 0; i < xs.size() && i < at_most; ++i) {
    if (i > 0)
      result += sep;
    result += xs[i];
  }
  if (xs.size() > at_most)
    result += sep + "and " + std::to_string(xs.size() - at_most) + " more";
  return result;
}

/// "restart_service {"service":"shopd"}".
std::string step_call(const plan_step& s) {
  return s.args.empty() || s.args == "{}" ? s.tool : s.tool + " " + s.args;
}

std::string step_line(const plan_step& s) {
  std::string line = "step " + std::to_string(s.index + 1) + ": " + step_call(s) + " — "
                     + to_string(s.state);
  if (!s.approved_by.empty())
    line += " (approved by " + s.approved_by + ")";
  if (!s.result.empty())
    line += "; " + s.result;
  if (!s.verification.empty())
    line += "; check: " + s.verification;
  return line;
}

/// What is happening now, in one sentence.
std::string now_sentence(const incident& inc) {
  if (inc.state == incident_state::resolved) {
    auto took = inc.mitigated_unix_ms > 0 && inc.opened_unix_ms > 0
                  ? " " + format_duration(inc.mitigated_unix_ms - inc.opened_unix_ms)
                      + " after detection"
                  : std::string{};
    return "Resolved: recovery verified" + took + ".";
  }
  if (inc.state == incident_state::escalated)
    return "Escalated to a human: "
           + (inc.escalation.empty() ? std::string{"no safe automatic fix"} : inc.escalation) + ".";
  for (auto& s : inc.plan)
    if (s.state == step_state::awaiting_approval)
      return "Waiting for approval of step " + std::to_string(s.index + 1) + " (" + s.tool
             + ", " + to_string(s.risk) + " risk): `vigilctl approve "
             + (s.approval_id.empty() ? std::string{"ID"} : s.approval_id) + "` or `vigilctl reject "
             + (s.approval_id.empty() ? std::string{"ID"} : s.approval_id) + "`.";
  if (inc.state == incident_state::open || inc.state == incident_state::diagnosing)
    return "Diagnosing: gathering evidence and matching runbooks.";
  if (inc.state == incident_state::planning)
    return "Planning a fix from the runbook.";
  if (inc.state == incident_state::verifying)
    return "Verifying that the services are back at their baseline.";
  return "Acting on the plan (state " + to_string(inc.state) + ").";
}

std::string hypothesis_sentence(const hypothesis* h) {
  if (h == nullptr)
    return "not known yet (diagnosis pending)";
  if (h->root_cause == "unknown" || h->root_cause.empty())
    return "unknown pattern (confidence " + percent(h->confidence)
           + "): no runbook matches well enough to act on";
  auto title = h->title.empty() ? h->root_cause : h->title;
  return title + " (`" + h->root_cause + "`, confidence " + percent(h->confidence) + ")";
}

void add_event(json& timeline, int64_t at, std::string what) {
  if (at > 0)
    timeline.push_back({{"at_unix_ms", at}, {"at", format_utc(at)}, {"what", std::move(what)}});
}

std::vector<std::string> follow_ups(const incident& inc, const postmortem_facts& facts) {
  std::vector<std::string> result;
  auto* h = chosen_hypothesis(inc);
  if (inc.state == incident_state::escalated)
    result.push_back("Finish by hand and record what fixed it: "
                     + (inc.escalation.empty() ? std::string{"escalated"} : inc.escalation));
  if (h == nullptr || h->root_cause == "unknown" || h->runbook.empty())
    result.push_back("No runbook matched this pattern: write one (symptoms: "
                     + join(inc.symptoms, "; ", max_listed) + ")");
  else if (h->confidence < 0.5)
    result.push_back("Diagnosis was unsure (" + percent(h->confidence)
                     + "): sharpen the symptom signature of runbook " + h->runbook);
  for (auto& s : inc.plan)
    if (s.state == step_state::failed || s.state == step_state::not_verified || s.state == step_state::refused)
      result.push_back("Step " + std::to_string(s.index + 1) + " (" + s.tool + ") " + to_string(s.state)
                       + ": review it in runbook "
                       + (h != nullptr && !h->runbook.empty() ? h->runbook : std::string{"?"}));
  for (auto& p : facts.prevention)
    result.push_back("Prevent: " + p);
  return result;
}

/// When a sample was taken is not a metric to compare.
bool is_timestamp(const std::string& key) {
  const std::string suffix = "_unix_ms";
  return key.size() >= suffix.size()
         && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Scalars of a JSON object by dotted path ("shopd.health"), for a
/// before/after table whatever shape the baseline has.
void flatten(const json& x, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (x.is_object()) {
    for (auto& [k, v] : x.items())
      flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (x.is_array()) {
    std::string text;
    for (auto& v : x)
      text += (text.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
    out[prefix] = text;
  } else if (!x.is_null() && !prefix.empty() && !is_timestamp(prefix)) {
    out[prefix] = x.is_string() ? x.get<std::string>() : x.dump();
  }
}

std::string cell(const std::string& text) {
  std::string result;
  for (char c : text)
    result += c == '|' ? std::string{"\\|"} : c == '\n' ? std::string{" "} : std::string(1, c);
  return result.empty() ? "-" : result;
}

} // namespace

const hypothesis* chosen_hypothesis(const incident& inc) {
  if (inc.hypotheses.empty())
    return nullptr;
  if (inc.hypothesis_index < inc.hypotheses.size())
    return &inc.hypotheses[inc.hypothesis_index];
  return &inc.hypotheses.front();
}

std::string format_utc(int64_t unix_ms) {
  if (unix_ms <= 0)
    return "-";
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return text;
}

std::string format_duration(int64_t ms) {
  if (ms < 0)
    ms = 0;
  char text[48];
  if (ms < 60'000)
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  else
    std::snprintf(text, sizeof text, "%lld min %lld s", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms % 60'000 / 1000));
  return text;
}

std::string render_brief(const incident& inc, const std::vector<std::string>& prevention) {
  std::ostringstream out;
  auto state = to_string(inc.state);
  std::transform(state.begin(), state.end(), state.begin(), ::toupper);
  out << "**[" << state << "] " << inc.id << ": "
      << (inc.title.empty() ? std::string{"incident"} : inc.title) << "**\n\n";
  out << "- **What broke:** "
      << (inc.services.empty() ? std::string{"unknown service"} : join(inc.services, ", ", 8));
  if (!inc.symptoms.empty())
    out << " — " << join(inc.symptoms, "; ", max_listed);
  if (inc.started_unix_ms > 0)
    out << " (since " << format_utc(inc.started_unix_ms) << ")";
  out << "\n";
  auto* h = chosen_hypothesis(inc);
  out << "- **Why:** " << hypothesis_sentence(h) << "\n";
  std::vector<std::string> done;
  for (auto& s : inc.plan)
    if (has_run(s.state) || s.state == step_state::rejected || s.state == step_state::refused)
      done.push_back(step_line(s));
  out << "- **Done:** " << (done.empty() ? std::string{"nothing yet"} : join(done, "; ", 8))
      << "\n";
  out << "- **Now:** " << now_sentence(inc) << "\n";
  if (h != nullptr && !h->evidence_for.empty())
    out << "- **Evidence:** " << join(h->evidence_for, "; ", max_listed) << "\n";
  if (h != nullptr && !h->blast_radius.empty())
    out << "- **Blast radius:** " << join(h->blast_radius, ", ", 8) << "\n";
  if (!prevention.empty())
    out << "- **Prevention:** " << join(prevention, "; ", max_listed) << "\n";
  return out.str();
}

json webhook_payload(const incident& inc, const std::string& brief) {
  // Slack's mrkdwn marks bold with one star.
  std::string text;
  for (size_t i = 0; i < brief.size(); ++i) {
    if (brief[i] == '*' && i + 1 < brief.size() && brief[i + 1] == '*') {
      text += '*';
      ++i;
    } else {
      text += brief[i];
    }
  }
  auto section = text.size() > slack_block_chars ? text.substr(0, slack_block_chars) + "…" : text;
  return {{"text", text},
          {"blocks",
           json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", section}}}},
                        {{"type", "context"},
                         {"elements",
                          json::array({{{"type", "mrkdwn"},
                                        {"text", "Vigil · " + inc.id + " · " + to_string(inc.state)}}})}}})}};
}

json health_snapshot(const std::vector<service_health>& rows, int64_t taken_unix_ms) {
  json result = json::object();
  for (auto& row : rows) {
    json entry{{"health", row.health}};
    if (!row.reason.empty())
      entry["reason"] = row.reason;
    if (!row.sli.service.empty()) {
      entry["requests"] = row.sli.requests;
      entry["success_ratio"] = row.sli.success_ratio;
      entry["p95_ms"] = row.sli.p95_ms;
      entry["p99_ms"] = row.sli.p99_ms;
    }
    result[row.service] = entry;
  }
  return {{"taken_unix_ms", taken_unix_ms}, {"services", result}};
}

json postmortem_document(const incident& inc, const postmortem_facts& facts) {
  auto* h = chosen_hypothesis(inc);
  json timeline = json::array();
  add_event(timeline, inc.started_unix_ms,
            "first symptom: " + (inc.symptoms.empty() ? std::string{"-"} : inc.symptoms.front()));
  add_event(timeline, inc.opened_unix_ms, "incident opened (detected)");
  json actions = json::array();
  json approvals = json::array();
  for (auto& s : inc.plan) {
    if (s.started_unix_ms > 0 && s.approval_wait_ms > 0)
      add_event(timeline, s.started_unix_ms - s.approval_wait_ms,
                "step " + std::to_string(s.index + 1) + " (" + s.tool + ") asked for approval");
    add_event(timeline, s.started_unix_ms,
              "step " + std::to_string(s.index + 1) + " started: " + step_call(s));
    add_event(timeline, s.finished_unix_ms,
              "step " + std::to_string(s.index + 1) + " " + to_string(s.state)
                + (s.result.empty() ? "" : ": " + s.result));
    actions.push_back({{"step", s.index + 1},
                       {"tool", s.tool},
                       {"args", s.args},
                       {"risk", s.risk},
                       {"why", s.why},
                       {"state", s.state},
                       {"result", s.result},
                       {"verification", s.verification},
                       {"approved_by", s.approved_by},
                       {"started", format_utc(s.started_unix_ms)},
                       {"finished", format_utc(s.finished_unix_ms)}});
    if (!s.approval_id.empty() || s.approval_wait_ms > 0
        || (!s.approved_by.empty() && s.approved_by != "policy"))
      approvals.push_back({{"step", s.index + 1},
                           {"tool", s.tool},
                           {"approval", s.approval_id},
                           {"state", s.state == step_state::rejected ? "rejected" : "decided"},
                           {"decided_by", s.approved_by},
                           {"wait", format_duration(s.approval_wait_ms)}});
  }
  add_event(timeline, inc.mitigated_unix_ms, "recovery verified (mitigated)");
  add_event(timeline, inc.closed_unix_ms,
            "incident " + to_string(inc.state) + (inc.escalation.empty() ? "" : ": " + inc.escalation));
  std::stable_sort(timeline.begin(), timeline.end(), [](const json& a, const json& b) {
    return a["at_unix_ms"].get<int64_t>() < b["at_unix_ms"].get<int64_t>();
  });
  json root_cause = json::object();
  if (h != nullptr)
    root_cause = {{"root_cause", h->root_cause},
                  {"title", h->title},
                  {"runbook", h->runbook},
                  {"component", h->component},
                  {"confidence", h->confidence},
                  {"evidence_for", h->evidence_for},
                  {"evidence_against", h->evidence_against},
                  {"blast_radius", h->blast_radius}};
  json others = json::array();
  for (auto& other : inc.hypotheses)
    if (&other != h)
      others.push_back({{"root_cause", other.root_cause}, {"confidence", other.confidence}});
  json summary{{"id", inc.id},
               {"title", inc.title},
               {"state", inc.state},
               {"services", inc.services},
               {"symptoms", inc.symptoms},
               {"detected_after", format_duration(inc.opened_unix_ms - inc.started_unix_ms)},
               {"approval_wait", format_duration(inc.approval_wait_ms)}};
  if (inc.mitigated_unix_ms > 0)
    summary["mitigated_after"] = format_duration(inc.mitigated_unix_ms - inc.started_unix_ms);
  if (inc.closed_unix_ms > 0 && inc.started_unix_ms > 0)
    summary["duration"] = format_duration(inc.closed_unix_ms - inc.started_unix_ms);
  return {{"kind", "postmortem"},
          {"written", format_utc(facts.written_unix_ms)},
          {"summary", summary},
          {"timeline", timeline},
          {"root_cause", root_cause},
          {"other_hypotheses", others},
          {"actions", actions},
          {"approvals", approvals},
          {"before", facts.before.is_null() ? json::object() : facts.before},
          {"after", facts.after.is_null() ? json::object() : facts.after},
          {"follow_ups", follow_ups(inc, facts)},
          {"incident", inc}};
}

std::string render_postmortem(const json& doc) {
  std::ostringstream out;
  auto& summary = doc["summary"];
  auto str = [](const json& x, const char* key) {
    return x.contains(key) && x[key].is_string() ? x[key].get<std::string>() : std::string{};
  };
  out << "# Postmortem " << str(summary, "id") << ": " << str(summary, "title") << "\n\n";
  out << "## Summary\n\n";
  out << "- Outcome: " << str(summary, "state") << "\n";
  out << "- Services: " << join(summary.value("services", std::vector<std::string>{}), ", ", 20)
      << "\n";
  out << "- Symptoms: " << join(summary.value("symptoms", std::vector<std::string>{}), "; ", 8)
      << "\n";
  out << "- Detected " << str(summary, "detected_after") << " after the first symptom";
  if (summary.contains("mitigated_after"))
    out << ", mitigated " << str(summary, "mitigated_after") << " after it";
  out << "; waiting for humans: " << str(summary, "approval_wait") << "\n";
  out << "- Written: " << str(doc, "written") << "\n\n";

  out << "## Timeline\n\n| time | what |\n|---|---|\n";
  for (auto& e : doc["timeline"])
    out << "| " << str(e, "at") << " | " << cell(str(e, "what")) << " |\n";

  out << "\n## Root cause\n\n";
  auto& rc = doc["root_cause"];
  if (rc.empty()) {
    out << "Not diagnosed.\n";
  } else {
    out << "**" << cell(str(rc, "title").empty() ? str(rc, "root_cause") : str(rc, "title"))
        << "** (`" << str(rc, "root_cause") << "`"
        << (str(rc, "component").empty() ? "" : " on `" + str(rc, "component") + "`")
        << ", runbook `" << str(rc, "runbook")
        << "`, confidence " << percent(rc.value("confidence", 0.0)) << ")\n\n";
    for (auto& e : rc["evidence_for"])
      out << "- for: " << e.get<std::string>() << "\n";
    for (auto& e : rc["evidence_against"])
      out << "- against: " << e.get<std::string>() << "\n";
    if (!rc["blast_radius"].empty())
      out << "- blast radius: "
          << join(rc["blast_radius"].get<std::vector<std::string>>(), ", ", 20) << "\n";
  }
  if (!doc["other_hypotheses"].empty()) {
    out << "\nOther hypotheses: ";
    std::vector<std::string> others;
    for (auto& o : doc["other_hypotheses"])
      others.push_back(str(o, "root_cause") + " " + percent(o.value("confidence", 0.0)));
    out << join(others, ", ", 8) << "\n";
  }

  out << "\n## Actions\n\n";
  if (doc["actions"].empty()) {
    out << "None.\n";
  } else {
    out << "| step | tool | risk | state | approved by | result | verification |\n"
        << "|---|---|---|---|---|---|---|\n";
    for (auto& a : doc["actions"])
      out << "| " << a.value("step", 0) << " | " << cell(str(a, "tool") + " " + str(a, "args"))
          << " | " << cell(str(a, "risk")) << " | " << cell(str(a, "state")) << " | "
          << cell(str(a, "approved_by")) << " | " << cell(str(a, "result")) << " | "
          << cell(str(a, "verification")) << " |\n";
  }

  out << "\n## Approvals\n\n";
  if (doc["approvals"].empty()) {
    out << "None asked: every step ran under policy.\n";
  } else {
    for (auto& a : doc["approvals"])
      out << "- step " << a.value("step", 0) << " (" << str(a, "tool") << "): "
          << (str(a, "decided_by").empty() ? std::string{"undecided"} : str(a, "decided_by"))
          << (str(a, "approval").empty() ? "" : ", " + str(a, "approval")) << ", waited "
          << str(a, "wait") << "\n";
  }

  out << "\n## Before and after\n\n";
  // Per service when both are in the coordinator's shape ({"services": {...}}).
  auto per_service = [](const json& x) -> const json& {
    return x.is_object() && x.contains("services") ? x["services"] : x;
  };
  std::map<std::string, std::string> before, after;
  flatten(per_service(doc["before"]), "", before);
  flatten(per_service(doc["after"]), "", after);
  if (before.empty() && after.empty()) {
    out << "No metrics recorded.\n";
  } else {
    std::set<std::string> keys;
    for (auto& [k, v] : before)
      keys.insert(k);
    for (auto& [k, v] : after)
      keys.insert(k);
    out << "| metric | before | after |\n|---|---|---|\n";
    for (auto& k : keys)
      out << "| " << cell(k) << " | " << cell(before.count(k) ? before[k] : "")
          << " | " << cell(after.count(k) ? after[k] : "") << " |\n";
  }

  out << "\n## Follow-ups\n\n";
  if (doc["follow_ups"].empty())
    out << "None.\n";
  for (auto& f : doc["follow_ups"])
    out << "- [ ] " << f.get<std::string>() << "\n";
  return out.str();
}

} // namespace vigil::agents
