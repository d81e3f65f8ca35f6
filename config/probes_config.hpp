// The probes file: which checks a probe node runs against which targets, how
// often, and when a result counts as degraded or down (JSON, comments allowed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/node_config.hpp"

namespace vigil {

/// A regular expression a log probe counts per window.
struct log_pattern {
  std::string name;     ///< Names the count in the result's values.
  std::string regex;    ///< ECMAScript syntax, matched anywhere in a line.
  uint32_t max = 0;     ///< More matches than this within the window: degraded.
};

/// A query a postgres probe runs on every check.
struct sql_check {
  std::string name;
  std::string sql;
  /// When set, the first cell of the first row must read this ("t", "1"...).
  std::string expect;
  /// A numeric first cell falling by more than this share of its highest
  /// value within the window is degraded ("rows vanished"); 0: not watched.
  double max_drop_percent = 0;
  /// With `acked_file` (the ids of acknowledged orders, one per line) the
  /// sql's `$acked` becomes a text[] literal of the newest `acked_recent`
  /// ids and as many older ones, the next slice of the rest at each check
  /// (the whole ledger is covered every few checks at a bounded cost), and
  /// a first cell above 0 (ids not found) is down: acknowledged writes that
  /// vanished, new or old.
  std::string acked_file;
  uint32_t acked_recent = 1000;
};

/// One probe. Kind-specific fields are empty or zero unless its kind uses them.
struct probe_config {
  std::string name;           ///< Unique; names its actor, results and series.
  std::string kind;           ///< http, tcp, postgres, process, disk, log, metrics, data, host.
  std::string target;         ///< The service it watches (default: the name).
  uint32_t interval_ms = 1000;
  uint32_t timeout_ms = 1000;
  uint32_t slow_ms = 0;       ///< A check slower than this is degraded; 0: never.

  // http, metrics, data: the URL to get.
  std::string url;
  std::vector<int> expect_status{200};  ///< http
  std::string body_contains;            ///< http
  std::string json_pointer;             ///< http: e.g. "/status"
  std::string json_equals;              ///< http: the value there, as text
  bool keep_alive = false;              ///< http: reuse one connection

  // tcp
  std::string address;                  ///< HOST:PORT

  // postgres, data: where the database is, as the app connects.
  std::string db_host;                  ///< A host or a unix socket folder.
  uint16_t db_port = 5432;
  std::string dbname;
  std::string user;
  std::string password_file;            ///< Resolved path; empty: no password.
  std::string server_log;               ///< postgres: counts auth failures in it.
  double max_connections_ratio = 0.9;   ///< postgres: connections / max_connections.
  uint32_t max_waiting_locks = 0;       ///< postgres
  uint32_t lock_timeout_ms = 0;         ///< postgres: 0 = half the timeout
  std::vector<sql_check> checks;        ///< postgres

  // process
  std::string service;                  ///< process: service name; metrics: series owner.
  std::string state_file;               ///< process: the service manager's state file.
  uint64_t max_rss_mb = 0;              ///< 0: not checked
  double max_rss_growth_mb_per_s = 0;   ///< 0: not checked

  // disk
  std::string path;                     ///< disk: a folder; log: the file
  uint64_t min_free_mb = 0;
  double min_free_percent = 0;
  uint64_t min_free_inodes = 0;
  double max_growth_mb_per_s = 0;

  // log, postgres (auth failures), metrics (increases): the window.
  uint32_t window_ms = 10000;
  std::vector<log_pattern> patterns;    ///< log

  // metrics
  std::vector<std::string> alert_on_increase; ///< Series names (before '{').

  // data: API price vs DB price.
  std::string price_sql = "SELECT sku, price_cents FROM products";
  uint32_t sample = 0;                  ///< Products compared per check; 0: all.

  // host
  double max_cpu_busy = 0.95;           ///< Share of CPU time busy over the interval.
  double max_cpu_pressure = 0.5;        ///< Share of time some task waited for a CPU.
};

struct probes_config {
  /// How often each probe's result is published even when unchanged.
  uint32_t publish_every_ms = 5000;
  std::vector<probe_config> probes;
};

/// Kinds a probes file may name.
const std::vector<std::string>& known_probe_kinds();

/// Parses a probes file's text; `origin` names it in errors, relative paths
/// resolve against `base_dir`. A top-level "model" names the deployment's
/// service model (service_model.hpp): its derived probes come first, then
/// the file's own "probes" (checks outside the model, such as Vigil's nodes). A top-level "traffic" member is accepted and
/// left to the synthetic traffic's own loader. Throws config_error.
probes_config parse_probes_config(const std::string& text, const std::string& origin,
                                  const std::string& base_dir);

/// Reads and parses a probes file; relative paths resolve against its folder.
probes_config load_probes_config(const std::string& path);

} // namespace vigil
