// The service manager's memory across its own restarts: which process runs
// each service (pid and start time), kept in <log_dir>/services.json, so a
// restarted manager adopts running services instead of starting copies.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "actors/services/service_backend.hpp"
#include "messages/services.hpp"

namespace vigil::services {

/// What is saved of one service.
struct saved_service {
  service_status status;  ///< As last known (state, restarts, times, ...).
  process_handle process; ///< The process, when one runs.
};

/// The saved services by name; empty when the file is missing. `problem`
/// tells why a file that exists could not be read (it is then ignored).
std::map<std::string, saved_service> read_state_file(const std::string& path,
                                                     std::string& problem);

/// Replaces the file atomically (write, then rename). Returns "" or why not.
std::string write_state_file(const std::string& path,
                             const std::map<std::string, saved_service>& services);

} // namespace vigil::services
