// The probe kinds, one factory each (their classes stay in their .cpp files).
#pragma once

#include "actors/probes/probe.hpp"

namespace vigil::probes {

/// Status code, latency, body text or a JSON value.
probe_ptr make_http_probe(const probe_config& cfg);
/// Connect time of a TCP port.
probe_ptr make_tcp_probe(const probe_config& cfg);
/// Connect and queries as the app's user: activity, locks, connection use,
/// auth failures in the server log, the file's own checks.
probe_ptr make_postgres_probe(const probe_config& cfg);
/// A service's process: alive, how it ended, memory, restarts.
probe_ptr make_process_probe(const probe_config& cfg);
/// Free bytes and inodes of a folder's file system and how fast they go.
probe_ptr make_disk_probe(const probe_config& cfg);
/// Counts of regular expressions in a log file per window.
probe_ptr make_log_probe(const probe_config& cfg);
/// A Prometheus /metrics page: kept as samples, counters watched for rises.
probe_ptr make_metrics_probe(const probe_config& cfg);
/// Data correctness: prices the API quotes against the database's.
probe_ptr make_data_probe(const probe_config& cfg);
/// The host's CPU: busy share and pressure.
probe_ptr make_host_probe(const probe_config& cfg);

} // namespace vigil::probes
