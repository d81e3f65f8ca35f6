// `vigilctl actions ...`: the action plane of the action node — its tools,
// one tool run (with an idempotency key, the same policy checks as the
// agents get) and the audit log.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct actions_line {
  std::string action;          ///< tools, run or audit
  std::string tool;            ///< run
  std::string args = "{}";     ///< run: a JSON object
  std::string key;             ///< run: the idempotency key
  std::string approved_by;     ///< run: who approved a high-risk step
  std::string incident;        ///< run: the incident it serves; audit: filter
  uint32_t limit = 50;         ///< audit
};

/// Adds `actions` with its subcommands to `app`; parsing fills `line` and
/// names the command "actions" in `command_name`.
void add_actions_command(CLI::App& app, actions_line& line, std::string& command_name);

/// Runs the parsed command; 0 on success, 1 on error (message on err).
int run_actions(client& node, const actions_line& line, bool json, std::ostream& out,
                std::ostream& err);

} // namespace vigilctl
