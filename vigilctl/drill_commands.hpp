// `vigilctl drill campaign ...`: a drill campaign through the chaos plane
// and its scorecard (vigilctl/drill/, docs/DRILLS.md).
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"
#include "vigilctl/drill/campaign.hpp"

namespace vigilctl {

struct drill_line {
  std::string action; ///< campaign
  drill::campaign_options campaign;
};

/// Adds `drill` with its subcommands to `app`; parsing fills `line` and
/// names the command "drill" in `command_name`.
void add_drill_command(CLI::App& app, drill_line& line, std::string& command_name);

/// Runs the parsed drill command; 0 when the campaign ran (whatever its
/// score), 1 when it could not run (message on err).
int run_drill(client& node, const drill_line& line, bool json, std::ostream& out,
              std::ostream& err);

} // namespace vigilctl
