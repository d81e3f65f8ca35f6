// `vigilctl status` (each service's health, SLIs, last change, reason, from
// the control node's status board) and `vigilctl traffic` (the synthetic
// traffic's latest SLI windows and acknowledged orders).
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct status_line {
  bool ids = false; ///< traffic: list every acknowledged order id too
};

/// Adds `status` and `traffic` to `app`; parsing names the command in
/// `command_name` and fills `line`.
void add_status_commands(CLI::App& app, status_line& line, std::string& command_name);

/// Runs `status` or `traffic` (by `command`); 0 on success, 1 on error.
int run_status_command(client& node, const std::string& command, const status_line& line,
                       bool json, std::ostream& out, std::ostream& err);

} // namespace vigilctl
