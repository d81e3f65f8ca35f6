#include "actors/probes/probe.hpp"

#include <cstdio>
#include <stdexcept>

#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

int rank(const std::string& status) {
  return status == "down" ? 2 : status == "degraded" ? 1 : 0;
}

/// The worse status wins; details of equally bad findings are joined.
void worsen(probe_result& r, const std::string& status, std::string detail) {
  if (r.status.empty() || rank(status) > rank(r.status)) {
    r.status = status;
    r.detail = std::move(detail);
  } else if (rank(status) == rank(r.status) && status != "ok") {
    r.detail += "; " + detail;
  }
}

} // namespace

void set_ok(probe_result& r, std::string detail) {
  if (r.status.empty() || r.status == "ok") {
    r.status = "ok";
    r.detail = std::move(detail);
  }
}

void set_degraded(probe_result& r, std::string detail) {
  worsen(r, "degraded", std::move(detail));
}

void set_down(probe_result& r, std::string detail) {
  worsen(r, "down", std::move(detail));
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  return buf;
}

probe_ptr make_probe(const probe_config& cfg) {
  if (cfg.kind == "http")
    return make_http_probe(cfg);
  if (cfg.kind == "tcp")
    return make_tcp_probe(cfg);
  if (cfg.kind == "postgres")
    return make_postgres_probe(cfg);
  if (cfg.kind == "process")
    return make_process_probe(cfg);
  if (cfg.kind == "disk")
    return make_disk_probe(cfg);
  if (cfg.kind == "log")
    return make_log_probe(cfg);
  if (cfg.kind == "metrics")
    return make_metrics_probe(cfg);
  if (cfg.kind == "data")
    return make_data_probe(cfg);
  if (cfg.kind == "host")
    return make_host_probe(cfg);
  throw std::invalid_argument("unknown probe kind '" + cfg.kind + "'");
}

} // namespace vigil::probes
