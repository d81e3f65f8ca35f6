// The JSON form of the chaos protocol, shared by the chaos HTTP API and
// vigilctl so that both print the same fields.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/chaos.hpp"

namespace vigil {

nlohmann::json to_json(const fault_param& x);
nlohmann::json to_json(const fault_kind& x);
nlohmann::json to_json(const active_fault& x);
nlohmann::json to_json(const chaos_event& x);
nlohmann::json to_json(const chaos_schedule& x);

/// Reads a schedule from JSON; unset fields keep `base`'s values. Throws
/// std::invalid_argument naming the field.
chaos_schedule schedule_from_json(const nlohmann::json& j, chaos_schedule base);

} // namespace vigil
