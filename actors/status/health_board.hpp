// Per-service health from probe results and SLI windows, with hysteresis per
// probe so that one blip does not flap a service: down counts at once,
// degraded after a few results in a row, recovery after a few oks in a row.
// Plain logic with the time passed in, so tests need no actors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/observability.hpp"

namespace vigil::status {

struct board_settings {
  uint32_t degrade_after = 2;    ///< Degraded results in a row before a probe is degraded.
  uint32_t recover_after = 2;    ///< Better results in a row before a probe recovers.
  int64_t stale_after_ms = 60000; ///< A probe silent this long no longer counts.
  double sli_degraded_below = 0.95; ///< Success ratio of a traffic window.
  double sli_down_below = 0.5;
};

/// Health levels, best first: ok < degraded < down. "unknown" for anything
/// else (no probe has reported yet).
int severity(const std::string& health);

class health_board {
public:
  explicit health_board(board_settings settings = {});

  /// Takes one probe result (for service `r.target`) received at `now_unix_ms`;
  /// returns the service's health when it changed. A result without probe
  /// name or target, or with a status other than ok/degraded/down, is
  /// refused with std::invalid_argument and changes nothing.
  std::optional<service_health> observe(const probe_result& r, int64_t now_unix_ms);

  /// Takes one SLI window: kept as the service's latest SLIs, and (when it
  /// saw requests) judged like a probe named "traffic".
  std::optional<service_health> observe(const sli_snapshot& s, int64_t now_unix_ms);

  /// Forgets probes silent for stale_after_ms; returns the services whose
  /// health changed (a service left without probes is "unknown").
  std::vector<service_health> expire(int64_t now_unix_ms);

  /// Every service, sorted by name.
  std::vector<service_health> snapshot() const;

private:
  struct probe_track {
    std::string effective = "unknown"; ///< After hysteresis.
    std::string pending;               ///< The level results point to.
    uint32_t streak = 0;               ///< Results in a row at `pending`.
    std::string detail;                ///< Of the latest result.
    int64_t received_unix_ms = 0;
  };

  struct service_track {
    service_health health; ///< health, reason, since, failing, sli
    std::map<std::string, probe_track> probes;
  };

  void judge(probe_track& p, const std::string& seen);
  std::optional<service_health> settle(service_track& s, int64_t now_unix_ms);

  board_settings settings_;
  std::map<std::string, service_track> services_;
};

} // namespace vigil::status
