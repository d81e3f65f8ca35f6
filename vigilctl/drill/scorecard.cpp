#include "vigilctl/drill/scorecard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

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

json row_json(const score_row& r, bool root_cause_applies) {
  json result{{"fault", r.fault},
              {"injected", r.injected},
              {"inject_failed", r.inject_failed},
              {"detected", r.detected},
              {"mitigated", r.mitigated},
              {"verified", r.verified},
              {"escalated", r.escalated},
              {"actions", r.actions},
              {"approvals", r.approvals},
              {"time_to_detect_ms", {{"p50", r.ttd_p50_ms}, {"p95", r.ttd_p95_ms}}},
              {"time_to_mitigate_ms", {{"p50", r.ttm_p50_ms}, {"p95", r.ttm_p95_ms}}},
              {"oracle", {{"judged", r.oracle_judged},
                          {"hurt", r.oracle_hurt},
                          {"restored", r.oracle_restored},
                          {"time_to_restore_ms", {{"p50", r.ttr_p50_ms}, {"p95", r.ttr_p95_ms}}}}}};
  result["root_cause_right"] = root_cause_applies ? json(r.root_cause_right) : json(nullptr);
  return result;
}

json oracle_json(const fault_outcome& f) {
  if (!f.oracle)
    return nullptr;
  return {{"state", to_string(f.oracle->state)},
          {"impact_unix_ms", f.oracle->impact_unix_ms},
          {"restored_unix_ms", f.oracle->restored_unix_ms},
          {"time_to_restore_ms", f.time_to_restore_ms()}};
}

/// What the oracle saw of one fault, in a few words.
std::string oracle_text(const fault_outcome& f) {
  if (!f.oracle)
    return "-";
  if (f.oracle->state == oracle_state::restored)
    return "restored in " + ms_text(f.time_to_restore_ms());
  return to_string(f.oracle->state);
}

json outcome_json(const fault_outcome& f) {
  return {{"number", f.number},
          {"fault", f.fault},
          {"label", f.label},
          {"injection_id", f.injection_id},
          {"injected_unix_ms", f.injected_unix_ms},
          {"end", f.end},
          {"incident", f.incident_id},
          {"detected_unix_ms", f.detected_unix_ms},
          {"mitigated_unix_ms", f.mitigated_unix_ms},
          {"verified", f.verified},
          {"diagnosed", f.root_cause_applies ? json(f.diagnosed) : json(nullptr)},
          {"root_cause_right", f.root_cause_applies ? json(f.root_cause_right()) : json(nullptr)},
          {"time_to_detect_ms", f.time_to_detect_ms()},
          {"time_to_mitigate_ms", f.time_to_mitigate_ms()},
          {"approval_wait_ms", f.approval_wait_ms},
          {"actions", f.actions},
          {"approvals", f.approvals},
          {"orders_lost", f.orders_lost},
          {"lost_ids", f.lost_ids},
          {"oracle", oracle_json(f)},
          {"note", f.note}};
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

json to_json(const scorecard& card) {
  json kinds = json::array();
  for (auto& r : card.kinds)
    kinds.push_back(row_json(r, card.root_cause_applies));
  json faults = json::array();
  for (auto& f : card.faults)
    faults.push_back(outcome_json(f));
  return {{"campaign", card.campaign},
          {"mode", card.mode},
          {"seed", card.seed},
          {"auto_approve", card.auto_approve},
          {"started_unix_ms", card.started_unix_ms},
          {"finished_unix_ms", card.finished_unix_ms},
          {"total", row_json(card.total, card.root_cause_applies)},
          {"kinds", kinds},
          {"unsafe_actions", card.unsafe},
          {"unsafe_detail", card.unsafe_detail},
          {"acked_orders", card.acked_orders},
          {"orders_lost", card.orders_lost},
          {"lost_ids", card.lost_ids},
          {"missing_before", card.missing_before},
          {"orders_note", card.orders_note},
          {"faults", faults}};
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
