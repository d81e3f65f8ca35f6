// The node's Prometheus endpoint: serves /metrics (the process's registry
// plus what it asks this node's actors at scrape time) and /healthz on the
// config's metrics_listen, as the supervised child "<node>/metrics".
#pragma once

#include <chrono>
#include <cstddef>

#include "metrics/registry.hpp"
#include "nodes/node_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil {

struct metrics_endpoint_options {
  /// How long a scrape waits for each actor it asks. Prometheus gives a scrape
  /// at most its interval (1 s in the demo), so the whole scrape must fit.
  std::chrono::milliseconds ask_timeout = std::chrono::milliseconds(200);
  /// Scrapes in progress at once; more are answered 503 at once, so a stuck
  /// or runaway scraper cannot pile up work in the node.
  size_t max_concurrent_scrapes = 4;
  /// Where the series live; tests pass their own.
  metrics::registry* registry = &metrics::registry::global();
};

/// The child "<node>/metrics": listens on ctx->config.metrics_listen (an IP
/// address and port) when started, stops listening when it exits, and listens
/// again when restarted. A port that cannot be bound is a start failure.
supervision::child_spec metrics_endpoint_child(node_context_ptr ctx,
                                               metrics_endpoint_options opts = {});

} // namespace vigil
