// `vigilctl probes` and `vigilctl metrics SERVICE`: what the probe node's
// manager last saw, as a table or JSON.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "messages/observability.hpp"
#include "vigilctl/client.hpp"
#include "vigilctl/render.hpp"

namespace vigilctl {

/// The latest result of each probe (probe, kind, target, status, latency,
/// detail, age); 0 on success, 1 on error (message on err).
int run_probes(client& node, format fmt, std::ostream& out, std::ostream& err);

/// The series scraped from SERVICE's /metrics, latest sample each.
int run_metrics(client& node, const std::string& service, format fmt, std::ostream& out,
                std::ostream& err);

void render_probes(std::ostream& out, const std::vector<vigil::probe_result>& results,
                   format fmt, int64_t now_unix_ms);

void render_metrics(std::ostream& out, const std::vector<vigil::metric_sample>& samples,
                    format fmt, int64_t now_unix_ms);

} // namespace vigilctl
