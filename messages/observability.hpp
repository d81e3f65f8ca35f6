// The observability and knowledge protocol: events on the bus, probe results,
// SLIs, the status board, scraped metric samples and runbook retrieval.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace vigil {

using publish_atom = caf::atom_constant<caf::atom("publish")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using events_atom = caf::atom_constant<caf::atom("events")>;
using probes_atom = caf::atom_constant<caf::atom("probes")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using sli_atom = caf::atom_constant<caf::atom("sli")>;
using search_atom = caf::atom_constant<caf::atom("search")>;
using runbook_atom = caf::atom_constant<caf::atom("runbook")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using acked_atom = caf::atom_constant<caf::atom("acked")>;
using probe_now_atom = caf::atom_constant<caf::atom("probe_now")>;

/// Something that happened, as the bus carries it and the ops store keeps it.
struct event {
  /// Unique, "<node>@<node start ms>:<seq>" when the relay stamps it: the
  /// ops store's key, so an event replayed from a spool is never written twice.
  std::string id;
  /// Dotted, most general first: "probe.shopd-http", "sli.shopd",
  /// "sample.shopd", "service.shopd", "chaos". Subscriptions match prefixes.
  std::string topic;
  std::string source;       ///< The publishing actor's name.
  int64_t at_unix_ms = 0;
  std::string severity;     ///< info, warning or error.
  std::string summary;      ///< One line for humans.
  std::string payload = "{}"; ///< A JSON object, topic-specific.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("vigil::event"), x.id, x.topic, x.source, x.at_unix_ms,
           x.severity, x.summary, x.payload);
}

/// One check of one probe.
struct probe_result {
  std::string probe;        ///< Its name in the probes file, e.g. "shopd-http".
  std::string kind;         ///< http, tcp, postgres, process, disk, log, metrics, data, host.
  std::string target;       ///< The service it watches, e.g. "shopd", "target-db".
  std::string status;       ///< ok, degraded or down.
  std::string detail;       ///< What was seen, in words: "HTTP 503 from /readyz".
  double latency_ms = 0;    ///< Of the check itself.
  int64_t at_unix_ms = 0;
  std::map<std::string, double> values; ///< What it measured: free_bytes, waiting_locks...
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, probe_result& x) {
  return f(caf::meta::type_name("vigil::probe_result"), x.probe, x.kind, x.target, x.status,
           x.detail, x.latency_ms, x.at_unix_ms, x.values);
}

/// Service level indicators of one service over one window of synthetic traffic.
struct sli_snapshot {
  std::string service;
  int64_t window_end_unix_ms = 0;
  uint32_t window_ms = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  double success_ratio = 1;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sli_snapshot& x) {
  return f(caf::meta::type_name("vigil::sli_snapshot"), x.service, x.window_end_unix_ms,
           x.window_ms, x.requests, x.failures, x.success_ratio, x.p50_ms, x.p95_ms, x.p99_ms);
}

/// One row of `vigilctl status`.
struct service_health {
  std::string service;
  std::string health;           ///< ok, degraded, down or unknown.
  std::string reason;           ///< The worst probe's detail; empty when ok.
  int64_t since_unix_ms = 0;    ///< When health last changed.
  std::vector<std::string> failing; ///< Probes not ok.
  sli_snapshot sli;             ///< service empty when it has no traffic.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, service_health& x) {
  return f(caf::meta::type_name("vigil::service_health"), x.service, x.health, x.reason,
           x.since_unix_ms, x.failing, x.sli);
}

/// One sample of a series scraped from a service's /metrics.
struct metric_sample {
  std::string series;       ///< Name with labels: shopd_http_requests_total{code="200"}.
  double value = 0;
  int64_t at_unix_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metric_sample& x) {
  return f(caf::meta::type_name("vigil::metric_sample"), x.series, x.value, x.at_unix_ms);
}

/// How the bus and its ops store writer are doing.
struct bus_stats {
  uint64_t published = 0;
  uint64_t subscribers = 0;
  uint64_t written = 0;       ///< Events now in the ops store.
  uint64_t queued = 0;        ///< Waiting for the writer.
  uint64_t spooled = 0;       ///< On disk waiting for the ops store.
  bool store_up = false;
  std::string store_error;    ///< Why the ops store is not reachable.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bus_stats& x) {
  return f(caf::meta::type_name("vigil::bus_stats"), x.published, x.subscribers, x.written,
           x.queued, x.spooled, x.store_up, x.store_error);
}

/// A retrieval hit: a runbook, a stack doc or a past postmortem.
struct knowledge_hit {
  std::string id;
  std::string kind;         ///< runbook, doc or postmortem.
  std::string title;
  std::string root_cause;   ///< Runbooks only.
  double rank = 0;
  std::string passage;      ///< The matching text, terms marked with **.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, knowledge_hit& x) {
  return f(caf::meta::type_name("vigil::knowledge_hit"), x.id, x.kind, x.title, x.root_cause,
           x.rank, x.passage);
}

/// A whole document of the knowledge store.
struct knowledge_doc {
  std::string id;
  std::string kind;
  std::string title;
  std::string root_cause;
  std::string path;         ///< The file it was loaded from.
  std::string meta;         ///< Runbooks: the front matter as JSON.
  std::string body;         ///< Markdown.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, knowledge_doc& x) {
  return f(caf::meta::type_name("vigil::knowledge_doc"), x.id, x.kind, x.title, x.root_cause,
           x.path, x.meta, x.body);
}

/// The event bus on the control node ("<node>/control/bus"). Subscribers
/// get (publish_atom, event) for each event whose topic starts with their
/// prefix ("" = all) and are dropped when they go down.
using event_bus_actor = caf::typed_actor<
  caf::reacts_to<publish_atom, event>,
  caf::replies_to<subscribe_atom, std::string, caf::actor>::with<bool>,
  /// Recent events: since (unix ms), topic prefix, at most this many.
  caf::replies_to<events_atom, int64_t, std::string, uint32_t>::with<std::vector<event>>,
  caf::replies_to<stats_atom>::with<bus_stats>>;

/// A probe node's probes ("<node>/probe/manager").
using probe_manager_actor = caf::typed_actor<
  /// The latest result of each probe.
  caf::replies_to<probes_atom>::with<std::vector<probe_result>>,
  /// The series scraped from one service's /metrics, latest sample each.
  caf::replies_to<metrics_atom, std::string>::with<std::vector<metric_sample>>,
  /// One probe, by name, checked now rather than at its next tick: the
  /// fresh evidence diagnosis confirms a hypothesis with before acting.
  caf::replies_to<probe_now_atom, std::string>::with<probe_result>>;

/// A probe node's synthetic traffic ("<node>/probe/traffic"): user-like load
/// whose acknowledged writes are the ground truth for "nothing lost".
using traffic_actor = caf::typed_actor<
  /// The latest window of each service the traffic reaches.
  caf::replies_to<sli_atom>::with<std::vector<sli_snapshot>>,
  /// Every order id the API acknowledged since the traffic started.
  caf::replies_to<acked_atom>::with<std::vector<std::string>>>;

/// Per-service health on the control node ("<node>/control/status").
using status_board_actor = caf::typed_actor<
  caf::replies_to<status_atom>::with<std::vector<service_health>>>;

/// Runbooks, stack docs and postmortems on the control node ("<node>/control/knowledge").
using knowledge_actor = caf::typed_actor<
  /// Ranked hits for a symptom description, at most this many.
  caf::replies_to<search_atom, std::string, uint32_t>::with<std::vector<knowledge_hit>>,
  caf::replies_to<runbook_atom, std::string>::with<knowledge_doc>>;

/// Why an observability or knowledge request failed.
enum class observability_error : uint8_t {
  none = 0,
  unknown_runbook,    ///< No document with that id.
  unknown_service,    ///< No probe or series for that service.
  bad_query,          ///< Empty or unusable search text, or bad arguments.
  store_unavailable,  ///< The ops store cannot be reached now (message says why).
};

std::string to_string(observability_error x);

bool operator==(const event& x, const event& y);
bool operator==(const probe_result& x, const probe_result& y);
bool operator==(const sli_snapshot& x, const sli_snapshot& y);
bool operator==(const service_health& x, const service_health& y);
bool operator==(const metric_sample& x, const metric_sample& y);
bool operator==(const bus_stats& x, const bus_stats& y);
bool operator==(const knowledge_hit& x, const knowledge_hit& y);
bool operator==(const knowledge_doc& x, const knowledge_doc& y);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::observability_error, "observe")
