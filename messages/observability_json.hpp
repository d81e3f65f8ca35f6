// The JSON form of probe results, SLI snapshots and service health: event
// payloads on the bus and `vigilctl --json` print the same fields, named as
// in the structs.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/observability.hpp"

namespace vigil {

nlohmann::json to_json(const probe_result& x);
nlohmann::json to_json(const sli_snapshot& x);
nlohmann::json to_json(const service_health& x);

/// Read back what to_json wrote. Missing fields keep their defaults; a field
/// of the wrong type throws std::invalid_argument naming it.
probe_result probe_result_from_json(const nlohmann::json& j);
sli_snapshot sli_snapshot_from_json(const nlohmann::json& j);

} // namespace vigil
