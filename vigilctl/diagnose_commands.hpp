// `vigilctl signals` (perception's signal table) and `vigilctl diagnose`
// (diagnosis of the current signals as if an incident were open), through
// the control node's agents.
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct diagnose_line {
  std::string prefix;   ///< signals: only names starting with it.
  std::string service;  ///< diagnose: only this service's symptoms.
};

/// Adds `signals` and `diagnose` to `app`; parsing fills `line` and names the
/// command in `command_name`.
void add_diagnose_commands(CLI::App& app, diagnose_line& line, std::string& command_name);

/// Runs `signals` or `diagnose`; 0 on success, 1 on error (message on err).
int run_diagnose_command(client& node, const std::string& name, const diagnose_line& line,
                         bool json, std::ostream& out, std::ostream& err);

} // namespace vigilctl
