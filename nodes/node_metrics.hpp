// What a node's /metrics adds at scrape time: its supervision tree (restarts,
// status), how fast its named actors answer, cluster membership (control
// nodes) and what the node is.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "messages/registry.hpp"
#include "messages/supervision.hpp"
#include "metrics/registry.hpp"
#include "nodes/node_context.hpp"

namespace vigil {

/// Describes the node's families and sets those that never change while the
/// process runs (vigil_node_info, vigil_node_start_time_seconds).
void describe_node_metrics(metrics::registry& reg, const node_context& ctx);

/// The tree of `node` as series: restarts, status and last exit per path. Replaces
/// what an earlier scrape set for `node`, so children that are gone vanish.
void set_tree_metrics(metrics::registry& reg, const std::string& node, const tree_node& root);

/// The registry's view of the cluster: vigil_cluster_node_up per node.
void set_cluster_metrics(metrics::registry& reg, const std::vector<node_info>& nodes);

/// Asks this node's root supervisor for its tree, each named actor for a
/// system "info" reply (its mailbox delay), and on control nodes the cluster
/// registry for its nodes; writes what came back into `reg` and then calls
/// `done` (once, on a CAF thread). Every ask waits at most `timeout`, so a
/// hung actor delays a scrape by `timeout` and never blocks anyone.
void collect_node_metrics(caf::actor_system& sys, node_context_ptr ctx, metrics::registry& reg,
                          caf::timespan timeout, std::function<void()> done);

} // namespace vigil
