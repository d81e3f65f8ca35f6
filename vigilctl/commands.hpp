// The admin commands, in one table shared by the one-shot command line and the
// interactive shell: their CLI11 definitions, help lines and dispatch.
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/action_commands.hpp"
#include "vigilctl/chaos_commands.hpp"
#include "vigilctl/client.hpp"
#include "vigilctl/drill_commands.hpp"
#include "vigilctl/diagnose_commands.hpp"
#include "vigilctl/events_commands.hpp"
#include "vigilctl/incident_commands.hpp"
#include "vigilctl/runbook_commands.hpp"
#include "vigilctl/status_commands.hpp"

namespace vigilctl {

/// One parsed command: which, its argument and how to show the reply.
struct command_line {
  std::string name; ///< Empty when no command was given.
  std::string argument;
  bool json = false;
  /// `service` only: start, stop, restart or status; the service; its node.
  std::string action;
  std::string service;
  std::string node_id;
  /// `chaos` only.
  chaos_line chaos;
  /// `runbooks` only.
  runbooks_line runbooks;
  /// `status` and `traffic` only.
  status_line status;
  /// `events` and `bus` only.
  events_line events;
  /// `incidents`, `incident`, `approvals`, `approve`, `reject`, `agents` only.
  incidents_line incidents;
  /// `drill` only.
  drill_line drill;
  /// `actions` only.
  actions_line actions;
  /// `signals` and `diagnose` only.
  diagnose_line diagnose;
};

/// Registers every admin command as a subcommand of `app`; parsing fills `cmd`.
void add_commands(CLI::App& app, command_line& cmd);

/// Runs `cmd` against the node and prints its reply to `out` or its error to
/// `err`. Returns the exit code: 0 on success, 1 on any error.
int run_command(client& node, const command_line& cmd, std::ostream& out,
                std::ostream& err);

/// One line per command ("tree [NODE]  Show ..."), for the shell's `help`.
void print_command_summary(std::ostream& out);

/// True if `name` is one of the admin commands.
bool is_command(const std::string& name);

/// Reports a CLI11 parse error: help goes to stdout with code 0; a usage error
/// goes to stderr with `hint` and code 2.
int report_parse_error(const CLI::App& app, const CLI::ParseError& e,
                       const std::string& hint);

} // namespace vigilctl
