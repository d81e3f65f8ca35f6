// One kind of check against one target. A probe's check blocks (with its own
// timeouts), so the probe actor runs it on a thread of its own.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/probes_config.hpp"
#include "messages/observability.hpp"

namespace vigil::probes {

class probe {
public:
  explicit probe(probe_config cfg) : cfg_(std::move(cfg)) {
    // nop
  }
  virtual ~probe() = default;

  const probe_config& config() const noexcept { return cfg_; }

  /// Runs one check; never throws, never waits longer than about the
  /// timeout. status, detail and values are the probe's to fill; name,
  /// kind, target, latency and time are filled by the caller.
  virtual void check(probe_result& out) = 0;

  /// Waits at most `up_to` for something worth checking at once (a watched
  /// process exiting); true when it saw one. The default only sleeps on
  /// nothing: it returns false at once and the actor schedules the next tick.
  virtual bool wait_for_change(std::chrono::milliseconds up_to) {
    (void)up_to;
    return false;
  }

  /// Whether wait_for_change does wait (the actor then loops on it).
  virtual bool watches() const { return false; }

  /// Series scraped by the last check (metrics probes only).
  virtual std::vector<metric_sample> samples() const { return {}; }

private:
  probe_config cfg_;
};

using probe_ptr = std::unique_ptr<probe>;

/// The probe for `cfg.kind`; throws std::invalid_argument for an unknown kind.
probe_ptr make_probe(const probe_config& cfg);

/// Helpers every kind uses to word a result.
void set_ok(probe_result& r, std::string detail);
void set_degraded(probe_result& r, std::string detail);
void set_down(probe_result& r, std::string detail);

/// "12.3" for a number of milliseconds in details.
std::string ms_text(double ms);

} // namespace vigil::probes
