// `vigilctl incidents`, `incident ID`, `approvals`, `approve ID`, `reject ID`
// and `agents pause|resume`: the incident loop of the control node, as an
// on-call engineer follows and steers it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

struct incidents_line {
  bool all = false;      ///< incidents, approvals: closed/decided ones too
  uint32_t limit = 20;   ///< incidents
  std::string id;        ///< incident, approve, reject
  std::string who;       ///< approve, reject: --as (default "human:$USER")
  std::string reason;    ///< approve, reject
  std::string action;    ///< agents: pause or resume
};

/// Adds the six commands to `app`; parsing names the command in
/// `command_name` and fills `line`.
void add_incident_commands(CLI::App& app, incidents_line& line, std::string& command_name);

/// True for incidents, incident, approvals, approve, reject and agents.
bool is_incident_command(const std::string& name);

/// Runs the named command; 0 on success, 1 on error (message on err).
int run_incident_command(client& node, const std::string& command, const incidents_line& line,
                         bool json, std::ostream& out, std::ostream& err);

} // namespace vigilctl
