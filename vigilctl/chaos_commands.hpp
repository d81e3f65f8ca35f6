// `vigilctl chaos ...`: the fault catalogue, injections, the kill switch,
// the schedule and the chaos log, through the chaos node's controller.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct chaos_line {
  std::string action;              ///< faults, inject, active, revert, stop, schedule, log
  std::string fault;               ///< inject; revert: the injection id
  std::vector<std::string> params; ///< inject: k=v
  uint32_t duration_s = 0;
  bool approve = false;
  std::string switch_to;           ///< schedule: on, off, or empty to show
  double mean_interval_s = 60;
  std::vector<std::string> faults;
  uint32_t max_concurrent = 1;
  uint32_t min_duration_s = 20;
  uint32_t max_duration_s = 60;
  uint64_t seed = 1;
  uint64_t after = 0;              ///< log
};

/// Adds `chaos` with its subcommands to `app`; parsing fills `line` and
/// names the command "chaos" in `command_name`.
void add_chaos_command(CLI::App& app, chaos_line& line, std::string& command_name);

/// Runs the parsed chaos command; 0 on success, 1 on error (message on err).
int run_chaos(client& node, const chaos_line& line, bool json, std::ostream& out,
              std::ostream& err);

} // namespace vigilctl
