// Everything a supervisor needs to know: strategy, limits, backoff, children.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::supervision {

enum class strategy {
  one_for_one,        ///< Restart only the child that exited.
  one_for_all,        ///< Stop all others (reverse order), restart all in order.
  rest_for_one,       ///< Stop those started after it, restart them and it.
  simple_one_for_one, ///< A dynamic pool of children from one template.
};

std::string to_string(strategy x);

/// Exponential backoff between restarts, as Akka's BackoffSupervisor:
/// delay = min(max, min * 2^n) * (1 + random * random_factor), where n counts
/// the child's consecutive restarts and resets once it ran for `reset_after`.
struct backoff_policy {
  caf::timespan min = std::chrono::milliseconds(100);
  caf::timespan max = std::chrono::seconds(10);
  double random_factor = 0.2;
  caf::timespan reset_after = std::chrono::seconds(30);
};

struct supervisor_spec {
  /// Unique path of this supervisor; children are named "<name>/<child id>".
  std::string name;
  strategy restart_strategy = strategy::one_for_one;
  /// More than `intensity` restarts within `period` ⇒ stop all and exit.
  size_t intensity = 3;
  caf::timespan period = std::chrono::seconds(5);
  std::optional<backoff_policy> backoff;
  /// Start order; for simple_one_for_one exactly one template.
  std::vector<child_spec> children;
  /// Where children are published by path; may be null.
  std::shared_ptr<name_directory> directory;
  /// Seeds the backoff jitter so tests can predict it; unset, every
  /// supervisor draws its own seed (jitter exists to spread restarts).
  std::optional<uint64_t> seed;
};

/// A child spec that runs `spec` as a nested supervisor; its name becomes the
/// child's path ("<parent>/<id>"), whatever `spec.name` says.
child_spec supervisor_child(std::string id, supervisor_spec spec,
                            restart_type restart = restart_type::permanent);

} // namespace vigil::supervision
