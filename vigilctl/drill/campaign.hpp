// The drill campaign: injects faults one after another through the chaos
// plane, waits for each to be handled (resolved, escalated, or a timeout),
// cleans up, waits for a healthy stack, and scores the whole run afterwards
// (scorecard.hpp). Runs in vigilctl through its client only.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "vigilctl/client.hpp"
#include "vigilctl/drill/scorecard.hpp"

namespace vigilctl::drill {

struct campaign_options {
  uint32_t count = 16;
  uint64_t seed = 1;
  std::vector<std::string> faults;   ///< Allowed kinds; empty: the whole catalogue.
  bool auto_approve = false;         ///< Answer the campaign's approvals as "campaign:<id>".
  uint32_t timeout_s = 300;          ///< Per fault: inject → resolved or escalated.
  uint32_t healthy_timeout_s = 180;  ///< Per fault: waiting for a healthy stack after it.
  std::string baseline;              ///< "" (Vigil) or "supervisord".
  std::string reports_dir = "var/reports";
  std::string probes_file = "config/demo/probes.json"; ///< Its "target-db" probe: lost orders.
  /// The shop's public address for the outside oracle's client; empty: the
  /// traffic's base_url in probes_file; "none": no oracle.
  std::string oracle_url;
  std::string services_file = "var/stack/services.json"; ///< Baseline: how shopd runs.
  std::string baseline_dir = "var/baseline";
  std::string supervisord_template = "stack/baseline/supervisord.conf.in";
  std::string beside;                ///< A campaign JSON to compare with (side by side).
  std::string kill_actor;            ///< actor_kill's target; empty: "<action node>/membership".
  std::string kill_node;             ///< node_kill's target; empty: the chaos-only node.
};

/// Runs the campaign, printing one progress line per fault to `progress`;
/// the scorecard is also written to reports_dir as campaign-<id>.json/.md.
/// Throws std::runtime_error when it cannot start (no chaos node, unknown
/// fault names...).
scorecard run_campaign(client& node, const campaign_options& options, std::ostream& progress);

} // namespace vigilctl::drill
