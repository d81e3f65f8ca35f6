// The JSON form of an event, as the writer's spool file keeps it (one object
// per line) and as `vigilctl events --json` prints it.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/observability.hpp"

namespace vigil::store {

/// {"id","topic","source","at","severity","summary","payload"}; payload is
/// embedded as JSON when it parses, else as the string it is.
nlohmann::json to_json(const event& e);

/// The inverse of to_json(); nullopt when `j` is not such an object.
std::optional<event> event_from_json(const nlohmann::json& j);

} // namespace vigil::store
