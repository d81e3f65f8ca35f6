// `vigilctl events` (recent events from the control node's bus, older ones
// from the ops store) and `vigilctl bus` (the bus and its writer's stats).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct events_line {
  std::string since = "10m"; ///< 10m, 2h, 30s, 1d, an ISO time or unix ms
  std::string topic;         ///< topic prefix; empty: all
  uint32_t limit = 50;
};

/// Adds `events` and `bus` to `app`; parsing names the command in
/// `command_name` and fills `line`.
void add_events_commands(CLI::App& app, events_line& line, std::string& command_name);

/// Runs `events` or `bus` (by `command`); 0 on success, 1 on error.
int run_events_command(client& node, const std::string& command, const events_line& line,
                       bool json, std::ostream& out, std::ostream& err);

/// "10m" / "2h" / "30s" / "1d" (before `now_ms`), "2026-11-27T08:00:00Z"
/// (UTC; also with a space, without seconds or Z) or unix ms; nullopt when
/// it is none of these.
std::optional<int64_t> parse_since(const std::string& text, int64_t now_ms);

} // namespace vigilctl
