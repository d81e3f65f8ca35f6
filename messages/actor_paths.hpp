// Where each well-known actor lives under its node's name ("<node>/<path>"
// in the name directory, and in a node's registration): the one list every
// lookup uses, so a path cannot drift between files.
#pragma once

namespace vigil::actor_paths {

inline constexpr const char* registry = "control/registry";
inline constexpr const char* bus = "control/bus";
inline constexpr const char* status = "control/status";
inline constexpr const char* knowledge = "control/knowledge";
inline constexpr const char* incidents = "control/incidents";
inline constexpr const char* perception = "control/agents/perception";
inline constexpr const char* diagnosis = "control/agents/diagnosis";
inline constexpr const char* planner = "control/agents/planner";
inline constexpr const char* safety = "control/agents/safety";
inline constexpr const char* verifier = "control/agents/verifier";
inline constexpr const char* narrator = "control/agents/narrator";
inline constexpr const char* action_plane = "action/plane";
inline constexpr const char* services = "action/services";
inline constexpr const char* probe_manager = "probe/manager";
inline constexpr const char* traffic = "probe/traffic";
inline constexpr const char* chaos_controller = "chaos/controller";

} // namespace vigil::actor_paths
