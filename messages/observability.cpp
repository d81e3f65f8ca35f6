// Error names and field-wise equality of the observability protocol.
#include "messages/observability.hpp"

namespace vigil {

std::string to_string(observability_error x) {
  switch (x) {
    case observability_error::none: return "none";
    case observability_error::unknown_runbook: return "unknown_runbook";
    case observability_error::unknown_service: return "unknown_service";
    case observability_error::bad_query: return "bad_query";
    case observability_error::store_unavailable: return "store_unavailable";
  }
  return "unknown";
}

bool operator==(const event& x, const event& y) {
  return x.id == y.id && x.topic == y.topic && x.source == y.source
         && x.at_unix_ms == y.at_unix_ms && x.severity == y.severity
         && x.summary == y.summary && x.payload == y.payload;
}

bool operator==(const probe_result& x, const probe_result& y) {
  return x.probe == y.probe && x.kind == y.kind && x.target == y.target
         && x.status == y.status && x.detail == y.detail && x.latency_ms == y.latency_ms
         && x.at_unix_ms == y.at_unix_ms && x.values == y.values;
}

bool operator==(const sli_snapshot& x, const sli_snapshot& y) {
  return x.service == y.service && x.window_end_unix_ms == y.window_end_unix_ms
         && x.window_ms == y.window_ms && x.requests == y.requests
         && x.failures == y.failures && x.success_ratio == y.success_ratio
         && x.p50_ms == y.p50_ms && x.p95_ms == y.p95_ms && x.p99_ms == y.p99_ms;
}

bool operator==(const service_health& x, const service_health& y) {
  return x.service == y.service && x.health == y.health && x.reason == y.reason
         && x.since_unix_ms == y.since_unix_ms && x.failing == y.failing && x.sli == y.sli;
}

bool operator==(const metric_sample& x, const metric_sample& y) {
  return x.series == y.series && x.value == y.value && x.at_unix_ms == y.at_unix_ms;
}

bool operator==(const bus_stats& x, const bus_stats& y) {
  return x.published == y.published && x.subscribers == y.subscribers
         && x.written == y.written && x.queued == y.queued && x.spooled == y.spooled
         && x.store_up == y.store_up && x.store_error == y.store_error;
}

bool operator==(const knowledge_hit& x, const knowledge_hit& y) {
  return x.id == y.id && x.kind == y.kind && x.title == y.title
         && x.root_cause == y.root_cause && x.rank == y.rank && x.passage == y.passage;
}

bool operator==(const knowledge_doc& x, const knowledge_doc& y) {
  return x.id == y.id && x.kind == y.kind && x.title == y.title
         && x.root_cause == y.root_cause && x.path == y.path && x.meta == y.meta
         && x.body == y.body;
}

} // namespace vigil
