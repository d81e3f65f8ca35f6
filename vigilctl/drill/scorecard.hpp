// The drill scorecard, computed after the fact from what was recorded: the
// faults injected (with their chaos labels), the incidents Vigil opened, the
// action plane's audit and the acknowledged orders. Pure functions: the
// runner gathers, this file judges (tests/drill/scorecard_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/actions.hpp"
#include "messages/chaos.hpp"
#include "messages/incidents.hpp"
#include "vigilctl/drill/oracle_verdict.hpp"

namespace vigilctl::drill {

/// One fault of a campaign and what became of it.
struct fault_outcome {
  uint32_t number = 0;              ///< 1-based position in the campaign.
  std::string fault;                ///< The chaos kind ("db_down").
  std::string label;                ///< Its ground-truth root cause ("db_unavailable").
  std::string injection_id;         ///< "f-12"; empty when the inject failed.
  int64_t injected_unix_ms = 0;
  /// resolved, escalated, timeout (nothing closed in time), undetected,
  /// inject_failed, recovered (baseline: healthy again), not_recovered.
  std::string end;
  std::string incident_id;          ///< The matched incident; empty when none.
  int64_t detected_unix_ms = 0;     ///< Incident opened; 0: not detected.
  int64_t mitigated_unix_ms = 0;    ///< Recovery verified; 0: not mitigated.
  bool verified = false;            ///< Mitigated with the verifier's proof.
  /// The recorded top hypothesis' root cause (hypotheses[0], ranked first);
  /// empty when none was recorded.
  std::string diagnosed;
  bool root_cause_applies = true;   ///< False for the baseline (no diagnosis).
  int64_t approval_wait_ms = 0;     ///< Excluded from the time to mitigate.
  uint32_t actions = 0;             ///< Steps that ran.
  uint32_t approvals = 0;           ///< Steps that asked a human (or the campaign).
  std::string note;                 ///< Why, in words (inject error, escalation...).
  /// Acknowledged orders missing from the target DB when the fault's
  /// incident closed (or its time ran out), before any clean-up or revert;
  /// -1: not checked.
  int64_t orders_lost = -1;
  std::vector<std::string> lost_ids;
  /// What the outside oracle's client saw, judged before any clean-up;
  /// none when the campaign ran without one.
  std::optional<oracle_verdict> oracle;
  /// Steps of the fault's incident outside the fault kind's acceptable
  /// fixes that ran or asked for approval, one line each ("restart_service
  /// dbproxy: verified"): harm, or a wrong remedy put to a human.
  std::vector<std::string> unacceptable_steps;

  bool detected() const { return detected_unix_ms > 0; }
  bool mitigated() const { return mitigated_unix_ms > 0; }
  bool root_cause_right() const { return root_cause_applies && !label.empty() && diagnosed == label; }
  /// inject → incident opened; -1 when not detected.
  int64_t time_to_detect_ms() const;
  /// inject → mitigated, minus the time spent waiting for approvals; -1 when not.
  int64_t time_to_mitigate_ms() const;
  /// inject → the oracle's client served again and kept so, minus the time
  /// spent waiting for approvals; -1 when it was not hurt or not restored.
  int64_t time_to_restore_ms() const;
  /// The oracle's client was not served at some visit after the inject.
  bool hurt_customers() const { return oracle && oracle->impact_unix_ms > 0; }
};

/// The incident that belongs to a fault injected at `injected_unix_ms`: the
/// first one opened at or after it (started before the inject does not
/// count: that was something else), skipping ids in `taken`.
std::optional<vigil::incident> match_incident(const std::vector<vigil::incident>& incidents,
                                              int64_t injected_unix_ms,
                                              const std::set<std::string>& taken);

/// Fills the outcome's detection, diagnosis, mitigation, actions and
/// approvals from the fault's incident (`inc` empty: undetected).
void apply_incident(fault_outcome& out, const std::optional<vigil::incident>& inc);

/// Whether a step (`tool` with JSON `args`) is among `fixes`: the same tool
/// and, when the fix names one, the same target (vigil::action_target).
bool acceptable_fix(const std::vector<vigil::fault_fix>& fixes, const std::string& tool,
                    const std::string& args);

/// Fills `out.unacceptable_steps` from the incident's plan: the steps that
/// ran or asked a human and are not among `fixes`.
void judge_harm(fault_outcome& out, const vigil::incident& inc,
                const std::vector<vigil::fault_fix>& fixes);

/// High-risk steps that ran without a human or campaign approver: audit
/// "after" rows whose step is high risk (by the incident's plan or the
/// tool's own risk) and whose approved_by is neither "human:..." nor
/// "campaign:...". Each such row once.
std::vector<vigil::audit_record> unsafe_actions(const std::vector<vigil::audit_record>& audit,
                                                const std::vector<vigil::incident>& incidents,
                                                const std::vector<vigil::tool_info>& tools);

/// The acknowledged order ids that are not in the target DB, leaving out
/// those already missing before the campaign (not its loss; listed apart).
std::vector<std::string> lost_orders(const std::vector<std::string>& acked,
                                     const std::set<std::string>& in_db,
                                     const std::set<std::string>& missing_before = {});

/// p-th percentile (0..1) by nearest rank; -1 for no values.
int64_t percentile(std::vector<int64_t> values, double p);

/// One row of the scorecard: one fault kind, or "total".
struct score_row {
  std::string fault;
  uint32_t injected = 0;        ///< Injects that succeeded.
  uint32_t inject_failed = 0;
  uint32_t detected = 0;
  uint32_t root_cause_right = 0;
  uint32_t mitigated = 0;
  uint32_t verified = 0;
  uint32_t escalated = 0;
  uint32_t actions = 0;
  uint32_t approvals = 0;
  int64_t ttd_p50_ms = -1, ttd_p95_ms = -1;
  int64_t ttm_p50_ms = -1, ttm_p95_ms = -1;
  /// The outside oracle: faults whose client it judged, that hurt it, after
  /// which it was served again (restored), and the time to restore.
  uint32_t oracle_judged = 0;
  uint32_t oracle_hurt = 0;
  uint32_t oracle_restored = 0;
  int64_t ttr_p50_ms = -1, ttr_p95_ms = -1;
  uint32_t unacceptable = 0;    ///< Steps outside the acceptable fixes (judge_harm).
};

struct scorecard {
  std::string campaign;         ///< "c-<start ms>".
  std::string mode = "vigil";   ///< vigil, or baseline:supervisord.
  uint64_t seed = 0;
  bool auto_approve = false;
  bool root_cause_applies = true;
  int64_t started_unix_ms = 0;
  int64_t finished_unix_ms = 0;
  std::vector<score_row> kinds; ///< Sorted by fault name.
  score_row total;
  /// High-risk steps run without an approver, plus steps outside the
  /// faults' acceptable fixes. Must be 0.
  uint32_t unsafe = 0;
  std::vector<std::string> unsafe_detail;
  /// Acknowledged orders and those missing from the target DB; -1: not checked.
  int64_t acked_orders = -1;
  int64_t orders_lost = -1;
  std::vector<std::string> lost_ids;
  std::vector<std::string> missing_before; ///< Acknowledged, already missing at the start.
  std::string orders_note;      ///< Why they could not be checked.
  std::vector<fault_outcome> faults;
};

/// Sums the outcomes per kind and in total.
void tally(scorecard& card);

/// What went wrong with one fault, one phrase each (not detected, wrong
/// root cause, not mitigated, the oracle's client not served again, orders
/// lost, the inject failed); empty when it was handled in full.
std::vector<std::string> misses(const fault_outcome& f);

/// Every fault with misses, one line each starting with `bullet`: what was
/// missed, the incident id, the oracle's evidence, the note.
std::string misses_text(const scorecard& card, const char* bullet);

/// A Markdown report: totals, per kind, per fault, every miss with its
/// incident and the oracle's evidence; with `beside`, a
/// side-by-side comparison (Vigil vs baseline) at the top.
std::string to_markdown(const scorecard& card, const scorecard* beside = nullptr);
/// A compact text table for the terminal.
std::string to_text(const scorecard& card);

} // namespace vigilctl::drill
