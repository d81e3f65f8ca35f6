// What the service tools share: their one argument ({"service": NAME}) and
// requests to this node's service manager.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "actors/actions/tool.hpp"

namespace vigil::actions::detail {

/// Checks {"service": NAME} (nothing else); returns it with NAME.
nlohmann::json validate_service_args(const nlohmann::json& args);

/// The service's status now; throws tool_failure (unknown service, no manager).
service_status service_now(tool_env& env, const std::string& service);

/// start, stop or restart through the manager; answers once it is done
/// (started: ready; stopped: gone). Throws tool_failure.
service_status service_do(tool_env& env, const std::string& verb, const std::string& service);

/// "running, pid 4711, ready" and the like.
std::string describe(const service_status& s);

/// The status as a JSON object for a result's output.
nlohmann::json status_json(const service_status& s);

} // namespace vigil::actions::detail
