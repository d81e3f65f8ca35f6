// The status board on the control node ("<node>/control/status"): follows
// probe results ("probe.*") and SLI windows ("sli.*") on the bus, keeps
// each service's health (see health_board.hpp) and publishes
// "service.<name>" when a service's health changes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/status/health_board.hpp"
#include "messages/observability.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::status {

struct status_board_context {
  std::string node_id;
  /// Where the bus ("<node>/control/bus") and the relay ("<node>/events") are.
  std::shared_ptr<supervision::name_directory> directory;
  board_settings settings;
  /// Unix time in ms; empty: the system clock (tests pass their own).
  std::function<int64_t()> now_unix_ms;
  /// How often it checks that it follows the running bus (and drops stale probes).
  caf::timespan check_every = std::chrono::seconds(1);
};

status_board_actor spawn_status_board(caf::actor_system& sys, status_board_context ctx);

/// The child "status" of the control subtree.
supervision::child_spec status_board_child(status_board_context ctx);

} // namespace vigil::status
