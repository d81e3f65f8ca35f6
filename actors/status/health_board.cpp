#include "actors/status/health_board.hpp"

#include <cstdio>
#include <stdexcept>

namespace vigil::status {

int severity(const std::string& health) {
  if (health == "ok")
    return 0;
  if (health == "degraded")
    return 1;
  if (health == "down")
    return 2;
  return -1;
}

health_board::health_board(board_settings settings) : settings_(settings) {
  // nop
}

void health_board::judge(probe_track& p, const std::string& seen) {
  if (seen == p.pending) {
    ++p.streak;
  } else {
    p.pending = seen;
    p.streak = 1;
  }
  if (seen == p.effective)
    return;
  // Nothing to hold on to before the first result; a down probe is
  // believed at once, since waiting would only hide an outage.
  auto needed = severity(p.effective) < 0      ? 1u
                : seen == "down"               ? 1u
                : severity(seen) > severity(p.effective) ? settings_.degrade_after
                                                         : settings_.recover_after;
  if (p.streak >= needed)
    p.effective = seen;
}

std::optional<service_health> health_board::settle(service_track& s, int64_t now_unix_ms) {
  std::string worst = "unknown";
  std::string reason;
  std::vector<std::string> failing;
  for (auto& [name, p] : s.probes) {
    if (severity(p.effective) > severity(worst)) {
      worst = p.effective;
      reason = p.effective == "ok" ? "" : name + ": " + p.detail;
    }
    if (severity(p.effective) > 0)
      failing.push_back(name);
  }
  auto& h = s.health;
  h.reason = reason;
  h.failing = failing;
  if (h.health == worst)
    return std::nullopt;
  h.health = worst;
  h.since_unix_ms = now_unix_ms;
  return h;
}

std::optional<service_health> health_board::observe(const probe_result& r, int64_t now_unix_ms) {
  if (r.probe.empty() || r.target.empty())
    throw std::invalid_argument("probe result without probe name or target");
  if (severity(r.status) < 0)
    throw std::invalid_argument("probe " + r.probe + ": status '" + r.status
                                + "' is not ok, degraded or down");
  auto& s = services_[r.target];
  s.health.service = r.target;
  if (s.health.health.empty())
    s.health.health = "unknown";
  auto& p = s.probes[r.probe];
  p.detail = r.detail;
  p.received_unix_ms = now_unix_ms;
  judge(p, r.status);
  return settle(s, now_unix_ms);
}

std::optional<service_health> health_board::observe(const sli_snapshot& sli,
                                                    int64_t now_unix_ms) {
  if (sli.service.empty())
    throw std::invalid_argument("SLI snapshot without service");
  auto& s = services_[sli.service];
  s.health.service = sli.service;
  if (s.health.health.empty())
    s.health.health = "unknown";
  s.health.sli = sli;
  // An empty window says nothing about the service (the traffic may be off).
  if (sli.requests == 0)
    return std::nullopt;
  auto seen = sli.success_ratio < settings_.sli_down_below       ? "down"
              : sli.success_ratio < settings_.sli_degraded_below ? "degraded"
                                                                 : "ok";
  char detail[160];
  std::snprintf(detail, sizeof detail, "%.1f%% of %llu synthetic requests ok (p99 %.0f ms)",
                sli.success_ratio * 100, static_cast<unsigned long long>(sli.requests),
                sli.p99_ms);
  auto& p = s.probes["traffic"];
  p.detail = detail;
  p.received_unix_ms = now_unix_ms;
  judge(p, seen);
  return settle(s, now_unix_ms);
}

std::vector<service_health> health_board::expire(int64_t now_unix_ms) {
  std::vector<service_health> changed;
  for (auto& [name, s] : services_) {
    bool dropped = false;
    for (auto p = s.probes.begin(); p != s.probes.end();) {
      if (now_unix_ms - p->second.received_unix_ms > settings_.stale_after_ms) {
        p = s.probes.erase(p);
        dropped = true;
      } else {
        ++p;
      }
    }
    if (dropped)
      if (auto h = settle(s, now_unix_ms))
        changed.push_back(*h);
  }
  return changed;
}

std::vector<service_health> health_board::snapshot() const {
  std::vector<service_health> result;
  for (auto& [name, s] : services_) {
    result.push_back(s.health);
  }
  return result;
}

} // namespace vigil::status
