// The interactive shell: reads commands line by line (with readline history on
// a terminal) and runs them over one connection.
#pragma once

#include "vigilctl/client.hpp"

namespace vigilctl {

/// Runs until quit, exit or end of input. A failed command prints its error
/// and the shell goes on. Returns 1 if the node cannot be reached at start,
/// else 0. `json` is the default output format for every command.
int run_shell(client& node, bool json);

} // namespace vigilctl
