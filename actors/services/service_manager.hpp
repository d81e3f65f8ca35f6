// The action node's service manager: starts, stops and restarts the stack's
// services on request and reports their status; never restarts a crashed
// service by itself (recovery is the agents' job, and a crash stays visible).
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/services/service_backend.hpp"
#include "config/services_config.hpp"
#include "messages/services.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::services {

/// Spawns a manager for `cfg` running processes through `backend`. It adopts
/// services still running from an earlier manager (see state_file.hpp),
/// starts the other autostart services in order, and on an exit request
/// (user_shutdown) stops them in reverse order before it exits.
service_manager_actor spawn_service_manager(caf::actor_system& sys, services_config cfg,
                                            std::unique_ptr<service_backend> backend);

/// Like the above, with the backend `cfg.backend` names.
service_manager_actor spawn_service_manager(caf::actor_system& sys, services_config cfg);

/// The child "services" of the action subtree for the services file at
/// `services_path`. The file is read at each start, so a bad file fails the
/// start with a message naming the field. The shutdown timeout leaves room
/// for every service's stop timeout.
supervision::child_spec service_manager_child(const std::string& services_path);

} // namespace vigil::services
