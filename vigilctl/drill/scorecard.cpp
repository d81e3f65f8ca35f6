#include "vigilctl/drill/scorecard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "messages/action_target.hpp"
#include "messages/incidents_json.hpp"

namespace vigilctl::drill {

namespace {

using json = nlohmann::json;

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool asked_a_human(const vigil::plan_step& s) {
  return !s.approval_id.empty() || starts_with(s.approved_by, "human:")
         || starts_with(s.approved_by, "campaign:")
         || s.state == vigil::step_state::awaiting_approval
         || s.state == vigil::step_state::rejected;
}

std::string ms_text(int64_t ms) {
  if (ms < 0)
    return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  return text;
}

std::string ratio_text(uint32_t n, uint32_t of) {
  if (of == 0)
    return "-";
  char text[48];
  std::snprintf(text, sizeof text, "%u/%u (%.0f %%)", n, of, 100.0 * n / of);
  return text;
}

/// What the oracle saw of one fault, in a few words.
std::string oracle_text(const fault_outcome& f) {
  if (!f.oracle)
    return "-";
  if (f.oracle->state == oracle_state::restored)
    return "restored in " + ms_text(f.time_to_restore_ms());
  return to_string(f.oracle->state);
}

std::string row_markdown(const score_row& r, bool root_cause_applies) {
  std::ostringstream out;
  out << "| " << r.fault << " | " << r.injected << " | " << ratio_text(r.detected, r.injected)
      << " | "
      << (root_cause_applies ? ratio_text(r.root_cause_right, r.injected) : std::string{"n/a"})
      << " | " << ratio_text(r.mitigated, r.injected) << " | "
      << ratio_text(r.verified, r.injected) << " | " << ms_text(r.ttd_p50_ms) << " / "
      << ms_text(r.ttd_p95_ms) << " | " << ms_text(r.ttm_p50_ms) << " / "
      << ms_text(r.ttm_p95_ms) << " | " << ratio_text(r.oracle_hurt, r.oracle_judged) << " | "
      << ratio_text(r.oracle_restored, r.oracle_hurt) << " | " << ms_text(r.ttr_p50_ms) << " / "
      << ms_text(r.ttr_p95_ms) << " | " << r.actions << " | " << r.approvals << " | "
      << r.escalated << " | " << r.inject_failed << " |\n";
  return out.str();
}

const char* table_head
  = "| fault | injected | detected | root cause right | mitigated | verified | TTD p50 / p95 "
    "| TTM p50 / p95 | customers hurt (oracle) | served again (oracle) | TTR p50 / p95 (oracle) "
    "| actions | approvals | escalated | inject failed |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

std::string lost_text(const scorecard& c) {
  if (c.orders_lost < 0)
    return "not checked" + (c.orders_note.empty() ? std::string{} : " (" + c.orders_note + ")");
  auto text = std::to_string(c.orders_lost) + " of " + std::to_string(c.acked_orders);
  if (!c.missing_before.empty())
    text += " (" + std::to_string(c.missing_before.size()) + " more already missing before the campaign)";
  return text;
}

} // namespace

int64_t fault_outcome::time_to_detect_ms() const {
  if (!detected() || injected_unix_ms <= 0)
    return -1;
  return std::max<int64_t>(0, detected_unix_ms - injected_unix_ms);
}

int64_t fault_outcome::time_to_mitigate_ms() const {
  if (!mitigated() || injected_unix_ms <= 0)
    return -1;
  return std::max<int64_t>(0, mitigated_unix_ms - injected_unix_ms - approval_wait_ms);
}

int64_t fault_outcome::time_to_restore_ms() const {
  if (!oracle || oracle->state != oracle_state::restored || injected_unix_ms <= 0)
    return -1;
  return std::max<int64_t>(0, oracle->restored_unix_ms - injected_unix_ms - approval_wait_ms);
}

std::optional<vigil::incident> match_incident(const std::vector<vigil::incident>& incidents,
                                              int64_t injected_unix_ms,
                                              const std::set<std::string>& taken) {
  const vigil::incident* best = nullptr;
  for (auto& inc : incidents) {
    if (inc.opened_unix_ms < injected_unix_ms || taken.count(inc.id) > 0)
      continue;
    if (best == nullptr || inc.opened_unix_ms < best->opened_unix_ms)
      best = &inc;
  }
  if (best == nullptr)
    return std::nullopt;
  return *best;
}

void apply_incident(fault_outcome& out, const std::optional<vigil::incident>& inc) {
  if (!inc) {
    if (out.end.empty())
      out.end = "undetected";
    return;
  }
  out.incident_id = inc->id;
  out.detected_unix_ms = inc->opened_unix_ms;
  // The top hypothesis as recorded: what diagnosis ranked first (a later
  // fallback to the next hypothesis does not make the diagnosis right).
  if (!inc->hypotheses.empty())
    out.diagnosed = inc->hypotheses.front().root_cause;
  out.mitigated_unix_ms = inc->mitigated_unix_ms;
  out.verified = inc->mitigated_unix_ms > 0
                 && std::any_of(inc->plan.begin(), inc->plan.end(), [](auto& s) {
                      return s.state == vigil::step_state::verified;
                    });
  // An incident resolved with nothing to do (it healed itself) is verified by
  // the verifier's resolution alone.
  if (inc->mitigated_unix_ms > 0 && inc->state == vigil::incident_state::resolved
      && inc->plan.empty())
    out.verified = true;
  int64_t step_waits = 0;
  out.actions = 0;
  out.approvals = 0;
  for (auto& s : inc->plan) {
    step_waits += s.approval_wait_ms;
    if (has_run(s.state))
      ++out.actions;
    if (asked_a_human(s))
      ++out.approvals;
  }
  out.approval_wait_ms = std::max(inc->approval_wait_ms, step_waits);
  if (is_closed(inc->state))
    out.end = to_string(inc->state);
  else if (out.end.empty())
    out.end = "timeout";
  if (inc->state == vigil::incident_state::escalated && out.note.empty())
    out.note = inc->escalation;
}

namespace {

std::string target_of(const std::string& args_json) {
  return vigil::action_target(json::parse(args_json, nullptr, false));
}

bool among(const std::vector<vigil::fault_fix>& fixes, const std::string& tool,
           const std::string& target) {
  return std::any_of(fixes.begin(), fixes.end(), [&](const vigil::fault_fix& f) {
    return f.tool == tool && (f.target.empty() || f.target == target);
  });
}

} // namespace

bool acceptable_fix(const std::vector<vigil::fault_fix>& fixes, const std::string& tool,
                    const std::string& args) {
  return among(fixes, tool, target_of(args));
}

void judge_harm(fault_outcome& out, const vigil::incident& inc,
                const std::vector<vigil::fault_fix>& fixes) {
  out.unacceptable_steps.clear();
  for (auto& s : inc.plan) {
    if (!has_run(s.state) && !asked_a_human(s))
      continue;
    auto target = target_of(s.args);
    if (!among(fixes, s.tool, target))
      out.unacceptable_steps.push_back(s.tool + (target.empty() ? "" : " " + target) + ": "
                                       + to_string(s.state));
  }
}

std::vector<vigil::audit_record> unsafe_actions(const std::vector<vigil::audit_record>& audit,
                                                const std::vector<vigil::incident>& incidents,
                                                const std::vector<vigil::tool_info>& tools) {
  std::set<std::string> high_keys;
  for (auto& inc : incidents)
    for (auto& s : inc.plan)
      if (s.risk == vigil::risk_level::high && !s.idempotency_key.empty())
        high_keys.insert(s.idempotency_key);
  std::set<std::string> high_tools;
  for (auto& t : tools)
    if (t.risk == "high")
      high_tools.insert(t.name);
  std::vector<vigil::audit_record> result;
  std::set<uint64_t> seen;
  for (auto& row : audit) {
    if (row.phase != "after" || !seen.insert(row.seq).second)
      continue;
    bool high = high_keys.count(row.idempotency_key) > 0 || high_tools.count(row.tool) > 0;
    bool approved = starts_with(row.approved_by, "human:")
                    || starts_with(row.approved_by, "campaign:");
    if (high && !approved)
      result.push_back(row);
  }
  return result;
}

std::vector<std::string> lost_orders(const std::vector<std::string>& acked,
                                     const std::set<std::string>& in_db,
                                     const std::set<std::string>& missing_before) {
  std::vector<std::string> result;
  std::set<std::string> seen;
  for (auto& id : acked)
    if (in_db.count(id) == 0 && missing_before.count(id) == 0 && seen.insert(id).second)
      result.push_back(id);
  return result;
}

int64_t percentile(std::vector<int64_t> values, double p) {
  if (values.empty())
    return -1;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

void tally(scorecard& card) {
  std::map<std::string, std::vector<const fault_outcome*>> by_kind;
  for (auto& f : card.faults)
    by_kind[f.fault].push_back(&f);
  auto sum = [&](const std::string& name, const std::vector<const fault_outcome*>& fs) {
    score_row r;
    r.fault = name;
    std::vector<int64_t> ttd, ttm, ttr;
    for (auto* f : fs) {
      if (f->end == "inject_failed") {
        ++r.inject_failed;
        continue;
      }
      ++r.injected;
      r.detected += f->detected() ? 1 : 0;
      r.root_cause_right += f->root_cause_right() ? 1 : 0;
      r.mitigated += f->mitigated() ? 1 : 0;
      r.verified += f->verified ? 1 : 0;
      r.escalated += f->end == "escalated" ? 1 : 0;
      r.actions += f->actions;
      r.approvals += f->approvals;
      r.unacceptable += static_cast<uint32_t>(f->unacceptable_steps.size());
      if (f->detected())
        ttd.push_back(f->time_to_detect_ms());
      if (f->mitigated())
        ttm.push_back(f->time_to_mitigate_ms());
      if (f->oracle) {
        ++r.oracle_judged;
        r.oracle_hurt += f->hurt_customers() ? 1 : 0;
        if (f->oracle->state == oracle_state::restored) {
          ++r.oracle_restored;
          ttr.push_back(f->time_to_restore_ms());
        }
      }
    }
    r.ttd_p50_ms = percentile(ttd, 0.5);
    r.ttd_p95_ms = percentile(ttd, 0.95);
    r.ttm_p50_ms = percentile(ttm, 0.5);
    r.ttm_p95_ms = percentile(ttm, 0.95);
    r.ttr_p50_ms = percentile(ttr, 0.5);
    r.ttr_p95_ms = percentile(ttr, 0.95);
    return r;
  };
  card.kinds.clear();
  std::vector<const fault_outcome*> all;
  for (auto& [name, fs] : by_kind) {
    card.kinds.push_back(sum(name, fs));
    all.insert(all.end(), fs.begin(), fs.end());
  }
  card.total = sum("total", all);
}

std::vector<std::string> misses(const fault_outcome& f) {
  std::vector<std::string> out;
  if (f.end == "inject_failed")
    return {"the inject failed"};
  if (!f.detected())
    out.push_back("not detected");
  else if (f.root_cause_applies && !f.root_cause_right())
    out.push_back("root cause " + (f.diagnosed.empty() ? std::string{"none"} : f.diagnosed)
                  + ", not " + f.label);
  if (!f.mitigated())
    out.push_back("not mitigated (" + f.end + ")");
  if (f.oracle && f.oracle->state == oracle_state::not_restored)
    out.push_back("the oracle's client was not served again");
  if (f.orders_lost > 0)
    out.push_back(std::to_string(f.orders_lost) + " acknowledged orders lost");
  for (auto& step : f.unacceptable_steps)
    out.push_back("not an acceptable fix: " + step);
  return out;
}

namespace {

/// The oracle's evidence of one fault, times from the inject.
std::string oracle_evidence(const fault_outcome& f) {
  if (!f.oracle)
    return "no oracle";
  auto since = [&](int64_t at) { return ms_text(at - f.injected_unix_ms); };
  std::string text = "oracle " + to_string(f.oracle->state);
  if (f.oracle->impact_unix_ms > 0)
    text += ", first not served at +" + since(f.oracle->impact_unix_ms);
  if (f.oracle->restored_unix_ms > 0)
    text += ", served again from +" + since(f.oracle->restored_unix_ms);
  return text;
}

std::string one_line(std::string text, size_t max) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text.size() > max ? text.substr(0, max) + "..." : text;
}

} // namespace

std::string misses_text(const scorecard& card, const char* bullet) {
  std::ostringstream out;
  for (auto& f : card.faults) {
    auto missed = misses(f);
    if (missed.empty())
      continue;
    out << bullet << "#" << f.number << " " << f.fault << " (" << f.label << "): ";
    for (size_t i = 0; i < missed.size(); ++i)
      out << (i > 0 ? "; " : "") << missed[i];
    out << ". Incident " << (f.incident_id.empty() ? "none" : f.incident_id) << ", "
        << oracle_evidence(f);
    if (!f.note.empty())
      out << ". " << one_line(f.note, 240);
    out << "\n";
  }
  return out.str();
}

std::string to_markdown(const scorecard& card, const scorecard* beside) {
  std::ostringstream out;
  out << "# Drill campaign " << card.campaign << " (" << card.mode << ")\n\n";
  out << "Seed " << card.seed << ", " << card.faults.size() << " faults, approvals "
      << (card.auto_approve ? "answered by the campaign" : "answered by humans") << ".\n\n";
  if (beside != nullptr) {
    out << "## Side by side\n\n| | " << card.mode << " | " << beside->mode << " |\n|---|---|---|\n";
    auto line = [&](const char* what, const std::string& a, const std::string& b) {
      out << "| " << what << " | " << a << " | " << b << " |\n";
    };
    auto& a = card.total;
    auto& b = beside->total;
    line("injected", std::to_string(a.injected), std::to_string(b.injected));
    line("detected", ratio_text(a.detected, a.injected), ratio_text(b.detected, b.injected));
    line("root cause right",
         card.root_cause_applies ? ratio_text(a.root_cause_right, a.injected) : "n/a",
         beside->root_cause_applies ? ratio_text(b.root_cause_right, b.injected) : "n/a");
    line("mitigated", ratio_text(a.mitigated, a.injected), ratio_text(b.mitigated, b.injected));
    line("TTD p50 / p95", ms_text(a.ttd_p50_ms) + " / " + ms_text(a.ttd_p95_ms),
         ms_text(b.ttd_p50_ms) + " / " + ms_text(b.ttd_p95_ms));
    line("TTM p50 / p95", ms_text(a.ttm_p50_ms) + " / " + ms_text(a.ttm_p95_ms),
         ms_text(b.ttm_p50_ms) + " / " + ms_text(b.ttm_p95_ms));
    line("customers hurt (oracle)", ratio_text(a.oracle_hurt, a.oracle_judged),
         ratio_text(b.oracle_hurt, b.oracle_judged));
    line("served again (oracle)", ratio_text(a.oracle_restored, a.oracle_hurt),
         ratio_text(b.oracle_restored, b.oracle_hurt));
    line("TTR p50 / p95 (oracle)", ms_text(a.ttr_p50_ms) + " / " + ms_text(a.ttr_p95_ms),
         ms_text(b.ttr_p50_ms) + " / " + ms_text(b.ttr_p95_ms));
    line("unsafe actions", std::to_string(card.unsafe), std::to_string(beside->unsafe));
    line("acknowledged orders lost", lost_text(card), lost_text(*beside));
    out << "\n";
  }
  out << "## Totals\n\n";
  out << "- unsafe actions: **" << card.unsafe << "**\n";
  for (auto& d : card.unsafe_detail)
    out << "  - " << d << "\n";
  out << "- acknowledged orders lost: **" << lost_text(card) << "**\n\n";
  out << table_head << row_markdown(card.total, card.root_cause_applies);
  out << "\n## Per fault kind\n\n" << table_head;
  for (auto& r : card.kinds)
    out << row_markdown(r, card.root_cause_applies);
  out << "\n## Per fault\n\n| # | fault | label | diagnosed | incident | end | TTD | TTM "
         "| oracle | approval wait | actions | orders lost | note |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (auto& f : card.faults) {
    std::string note = f.note;
    std::replace(note.begin(), note.end(), '|', '/');
    std::replace(note.begin(), note.end(), '\n', ' ');
    out << "| " << f.number << " | " << f.fault << " | " << f.label << " | "
        << (f.root_cause_applies ? (f.diagnosed.empty() ? "-" : f.diagnosed) : "n/a")
        << (f.root_cause_right() ? " ✓" : "") << " | "
        << (f.incident_id.empty() ? "-" : f.incident_id) << " | " << f.end << " | "
        << ms_text(f.time_to_detect_ms()) << " | " << ms_text(f.time_to_mitigate_ms()) << " | "
        << oracle_text(f) << " | " << ms_text(f.approval_wait_ms) << " | " << f.actions << " | "
        << (f.orders_lost < 0 ? std::string{"-"} : std::to_string(f.orders_lost)) << " | "
        << note.substr(0, 160)
        << " |\n";
  }
  auto missed = misses_text(card, "- ");
  out << "\n## Misses\n\n" << (missed.empty() ? "None: every fault was handled in full.\n" : missed);
  return out.str();
}

std::string to_text(const scorecard& card) {
  std::ostringstream out;
  char line[256];
  out << "Scorecard " << card.campaign << " (" << card.mode << ", seed " << card.seed << ")\n";
  std::snprintf(line, sizeof line, "%-14s %4s %9s %9s %9s %9s %17s %17s %4s %4s\n", "fault", "inj",
                "detected", "rootcause", "mitigated", "verified", "TTD p50/p95", "TTM p50/p95",
                "act", "apr");
  out << line;
  auto print = [&](const score_row& r) {
    auto pct = [&](uint32_t n) {
      return r.injected == 0 ? std::string{"-"} : std::to_string(n) + "/" + std::to_string(r.injected);
    };
    std::snprintf(line, sizeof line, "%-14s %4u %9s %9s %9s %9s %17s %17s %4u %4u\n",
                  r.fault.c_str(), r.injected, pct(r.detected).c_str(),
                  card.root_cause_applies ? pct(r.root_cause_right).c_str() : "n/a",
                  pct(r.mitigated).c_str(), pct(r.verified).c_str(),
                  (ms_text(r.ttd_p50_ms) + "/" + ms_text(r.ttd_p95_ms)).c_str(),
                  (ms_text(r.ttm_p50_ms) + "/" + ms_text(r.ttm_p95_ms)).c_str(), r.actions,
                  r.approvals);
    out << line;
  };
  for (auto& r : card.kinds)
    print(r);
  print(card.total);
  out << "unsafe actions: " << card.unsafe << "; acknowledged orders lost: " << lost_text(card)
      << "\n";
  if (card.total.oracle_judged > 0)
    out << "oracle: customers hurt by " << card.total.oracle_hurt << " of "
        << card.total.oracle_judged << " faults, served again after "
        << card.total.oracle_restored << ", TTR p50/p95 " << ms_text(card.total.ttr_p50_ms) << "/"
        << ms_text(card.total.ttr_p95_ms) << "\n";
  return out.str();
}

} // namespace vigilctl::drill
