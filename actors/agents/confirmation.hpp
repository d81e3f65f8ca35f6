// Active confirmation: before a hypothesis may act, the probes its failure
// mode names under "confirm" are checked again, now, out of turn (a login
// with the app's secret, the database's own answer...), and each condition
// must hold on that fresh result. Evidence that was true a while ago but is
// no longer true does not move anything. Plain logic; the diagnosis actor
// fetches the fresh results.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/agents/runbook_book.hpp"
#include "actors/agents/signal_table.hpp"
#include "actors/agents/symptom_match.hpp"
#include "messages/incidents.hpp"
#include "messages/observability.hpp"

namespace vigil::agents {

/// One probe checked now: its result, or why there is none.
struct fresh_check {
  std::optional<probe_result> result;
  std::string failure;
};

/// Whether `h` could act: a known cause with a runbook, at least `min_confidence` sure.
bool could_act(const hypothesis& h, double min_confidence);

/// The probes one confirmation checks: the probe it names, or, when it
/// names none, every probe behind its signal's group in `groups` (each of a
/// service's volumes: the one that broke need not be the first).
std::set<std::string> probes_of(const confirmation& c, const probe_groups& groups);

/// The probes to check now: those of the confirmations of the failure modes
/// of the hypotheses that could act (not unknown, at least min_confidence).
std::set<std::string> probes_to_confirm(const std::vector<hypothesis>& ranked,
                                        const runbook_book& book,
                                        const diagnosis_settings& settings,
                                        const probe_groups& groups = {});

/// `ranked` with each hypothesis that could act marked by its
/// confirmations: each that holds is evidence for ("confirmed now: ..."),
/// one that does not hold sets the confidence to 0 ("not confirmed now:
/// ..."; over several probes, on their worst result, as the signal table
/// merges them), one whose probe could not be checked is named among the evidence
/// against and changes nothing (a probe node that is down must not stop a
/// fix elsewhere). Ranked again; when no hypothesis is left that could act,
/// an "unknown" one comes first, naming the refuted causes.
std::vector<hypothesis> apply_confirmations(std::vector<hypothesis> ranked,
                                            const runbook_book& book,
                                            const std::map<std::string, fresh_check>& fresh,
                                            const diagnosis_settings& settings,
                                            int64_t now_unix_ms,
                                            const probe_groups& groups = {});

} // namespace vigil::agents
