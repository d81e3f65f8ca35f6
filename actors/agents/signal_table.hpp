// The signal table: everything perception knows now, one named value per
// signal (names: docs/RUNBOOKS.md, "Signal names"), with the time each was
// last seen. Plain logic with the time passed in, so tests need no actors.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "messages/incidents.hpp"
#include "messages/observability.hpp"
#include "messages/registry.hpp"
#include "messages/services.hpp"

namespace vigil::agents {

/// The probes that report into each group of probe signals
/// ("shopd.disk" → {"shopd-disk", "shopd-disk-2"}).
using probe_groups = std::map<std::string, std::set<std::string>>;

/// The group a probe signal belongs to ("probe.shopd.disk.write_errno" →
/// "shopd.disk", as `observe` names them); empty for any other signal.
std::string probe_group_of(const std::string& signal);

class signal_table {
public:
  /// Sets one signal; a number is also kept as text ("503", "0.5").
  void set(const std::string& name, const std::string& text, int64_t at_unix_ms);
  void set(const std::string& name, double number, int64_t at_unix_ms);
  void set(signal_value value);
  void erase(const std::string& name);
  /// Every signal whose name starts with `prefix` is removed.
  void erase_prefix(const std::string& prefix);

  /// A probe result: "probe.<target>.<kind>.status", ".detail" and one
  /// signal per measured value. Several probes of one target and kind
  /// (shopd's health and readiness checks) share these names: the status is
  /// the worst, the detail lists the probes not ok (worst first), and the
  /// worst probe's values win. A log probe's matching line becomes
  /// "log.<target>", the postgres probe's server-log auth failures
  /// "log.<target>" too; both stay for `log_keep_ms` after the last match.
  void observe(const probe_result& r, int64_t now_unix_ms);
  /// An SLI window: "sli.<service>.success_ratio", ".p50_ms", ".p95_ms",
  /// ".p99_ms", ".requests", ".failures".
  void observe(const sli_snapshot& s, int64_t now_unix_ms);
  /// The status board's view: "service.<name>.health", ".reason", kept
  /// until the next change, timed when the health changed.
  void observe(const service_health& h, int64_t now_unix_ms);
  /// The service manager's view: "service.<name>.state", ".oom_killed",
  /// ".signal", ".exit_code", ".ready".
  void observe(const service_status& s, int64_t now_unix_ms);
  /// Scraped series: "metric.<service>.<series>" (labels kept in the name).
  void observe(const std::string& service, const std::vector<metric_sample>& samples,
               int64_t now_unix_ms);
  /// The cluster registry's nodes: "vigil.node.<id>.status" (up or down) and
  /// ".reason", and the summary "vigil.node.status" (down when any is down)
  /// with "vigil.node.down" (the ids that are down).
  void observe(const std::vector<node_info>& nodes, int64_t now_unix_ms);

  /// Forgets signals not seen for `max_age_ms` (and expired log lines).
  void expire(int64_t now_unix_ms, int64_t max_age_ms);

  /// Sorted by name; only those starting with `prefix`.
  std::vector<signal_value> snapshot(const std::string& prefix = "") const;
  const signal_value* find(const std::string& name) const;
  bool empty() const { return signals_.empty(); }

  /// The probes seen so far, by the group of signals they report into.
  probe_groups groups() const;

  /// How long a log line stays after its last match (default 60 s).
  void log_keep_ms(int64_t ms) { log_keep_ms_ = ms; }

private:
  void refresh_group(const std::string& group, int64_t now_unix_ms);
  /// Memory trouble is over in a moment (the kill ends the growth, the next
  /// start clears the OOM flag): what was seen stays like a log line.
  void remember_memory(const std::string& service, const char* key, double value,
                       int64_t at_unix_ms, int64_t now_unix_ms);

  std::map<std::string, signal_value> signals_;
  /// Latest result per probe, grouped by "<target>.<kind>".
  std::map<std::string, std::map<std::string, probe_result>> groups_;
  /// Log lines by signal name, with the time of their last match.
  std::map<std::string, int64_t> log_seen_;
  /// Signals that only change on a change (service health): never aged out.
  std::set<std::string> sticky_;
  int64_t log_keep_ms_ = 60000;
};

/// Table rows back into a table (a recorded or fetched signal list).
signal_table make_signal_table(const std::vector<signal_value>& values);

/// ok 0, degraded 1, down 2; anything else -1.
int status_severity(const std::string& status);

} // namespace vigil::agents
