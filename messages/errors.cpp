// Names of the protocol error codes, as they appear in logs and vigilctl.
#include "messages/admin.hpp"
#include "messages/services.hpp"
#include "messages/supervision.hpp"

namespace vigil {

std::string to_string(supervision_error x) {
  switch (x) {
    case supervision_error::none: return "none";
    case supervision_error::restart_intensity_exceeded:
      return "restart_intensity_exceeded";
    case supervision_error::child_start_failed: return "child_start_failed";
    case supervision_error::no_such_child: return "no_such_child";
    case supervision_error::not_a_pool: return "not_a_pool";
  }
  return "unknown";
}

std::string to_string(admin_error x) {
  switch (x) {
    case admin_error::none: return "none";
    case admin_error::unknown_node: return "unknown_node";
    case admin_error::unknown_actor: return "unknown_actor";
    case admin_error::node_down: return "node_down";
    case admin_error::no_registry: return "no_registry";
    case admin_error::actor_restarting: return "actor_restarting";
  }
  return "unknown";
}

std::string to_string(service_error x) {
  switch (x) {
    case service_error::none: return "none";
    case service_error::unknown_service: return "unknown_service";
    case service_error::start_failed: return "start_failed";
    case service_error::not_running: return "not_running";
    case service_error::already_running: return "already_running";
    case service_error::backend_error: return "backend_error";
    case service_error::no_good_config: return "no_good_config";
  }
  return "unknown";
}

} // namespace vigil
