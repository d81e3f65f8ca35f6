// The component a tool's request acts on, read from its arguments: what the
// policy's per-target rules and restart intensity key on, and what a drill
// judges a step's harm by.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace vigil {

/// The first of service, role, database, node, actor, table, upstream,
/// path, target in `args` that is a string; empty when none.
std::string action_target(const nlohmann::json& args);

} // namespace vigil
