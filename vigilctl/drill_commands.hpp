// `vigilctl drill campaign ...`: a drill campaign through the chaos plane
// and its scorecard; `vigilctl drill report ID`: a stored one again
// (vigilctl/drill/, docs/DRILLS.md).
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"
#include "vigilctl/drill/campaign.hpp"

namespace vigilctl {

/// `drill report`: which campaign, from where, in which form.
struct report_options {
  std::string campaign;                 ///< "c-1765...", "campaign-c-...", or a JSON file.
  std::string reports_dir = "var/reports";
  bool markdown = false;
};

struct drill_line {
  std::string action; ///< campaign or report
  drill::campaign_options campaign;
  report_options report;
};

/// The file `drill report` reads for `opt`: the campaign argument itself
/// when it names an existing file, else reports_dir/campaign-ID.json.
std::string report_path(const report_options& opt);

/// Adds `drill` with its subcommands to `app`; parsing fills `line` and
/// names the command "drill" in `command_name`.
void add_drill_command(CLI::App& app, drill_line& line, std::string& command_name);

/// Runs the parsed drill command; 0 when the campaign ran or the report was
/// read (whatever its score), 1 when not (message on err).
int run_drill(client& node, const drill_line& line, bool json, std::ostream& out,
              std::ostream& err);

} // namespace vigilctl
