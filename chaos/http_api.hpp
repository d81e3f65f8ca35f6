// The chaos node's HTTP API (bearer token): POST /break/{fault},
// POST /break/stop (kill switch), GET /chaos/faults, GET /chaos/active,
// DELETE /chaos/active/{id}, GET|POST /chaos/schedule, GET /chaos/log.
// It only translates requests into messages to the chaos controller.
#pragma once

#include <memory>
#include <string>

#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::chaos {

/// A child spec "api" serving on `listen` ("HOST:PORT") with the token in
/// `token_file`; it asks the controller found at `controller_path`.
supervision::child_spec http_api_child(std::string listen, std::string token_file,
                                       std::shared_ptr<supervision::name_directory> directory,
                                       std::string controller_path);

} // namespace vigil::chaos
