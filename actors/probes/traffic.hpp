// Synthetic traffic ("<node>/probe/traffic"): user-like load on the shop
// (browse products, view a price, place an order) whose acknowledged order
// ids are the ground truth for "no acknowledged write lost", and whose
// outcomes become the service's SLIs, one window at a time, published on
// the bus as "sli.<service>".
#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "config/traffic_config.hpp"
#include "messages/observability.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::probes {

struct traffic_context {
  std::string node_id;
  traffic_config config;
  /// Where the node's event relay ("<node>/events") is found; may be null.
  std::shared_ptr<supervision::name_directory> directory;
};

/// Spawns the traffic: one actor keeping the windows and the acknowledged
/// ids, and `config.workers` detached workers (linked to it) doing the
/// blocking HTTP requests, each with `config.timeout_ms`, so a hung shop
/// never blocks the scheduler nor the replies.
traffic_actor spawn_traffic(caf::actor_system& sys, traffic_context ctx);

/// The child "traffic" of the probe subtree.
supervision::child_spec traffic_child(traffic_context ctx);

} // namespace vigil::probes
