// dbproxy's HTTP control API: read, set and clear the latency toxic.
#pragma once

#include <memory>

#include "http/server.hpp"
#include "stack/dbproxy/proxy_context.hpp"

namespace vigil::dbproxy {

/// Adds GET /healthz and GET, POST, DELETE /toxics to `server`.
void install_control_api(http::server& server, std::shared_ptr<proxy_context> context);

} // namespace vigil::dbproxy
