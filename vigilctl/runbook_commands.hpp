// `vigilctl runbooks ...`: ranked retrieval of runbooks, stack docs and
// postmortems for a symptom description, and one document in full, through
// the control node's knowledge store.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct runbooks_line {
  std::string action;  ///< search or show
  std::string text;    ///< search: the symptom description; show: the id
  uint32_t limit = 5;  ///< search
};

/// Adds `runbooks` with its subcommands to `app`; parsing fills `line` and
/// names the command "runbooks" in `command_name`.
void add_runbooks_command(CLI::App& app, runbooks_line& line, std::string& command_name);

/// Runs the parsed command; 0 on success, 1 on error (message on err).
int run_runbooks(client& node, const runbooks_line& line, bool json, std::ostream& out,
                 std::ostream& err);

} // namespace vigilctl
