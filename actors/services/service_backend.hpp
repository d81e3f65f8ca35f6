// How the service manager runs processes, apart from which mechanism does it:
// `exec` (fork/exec) now, systemd or docker compose later, picked by name.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <sys/types.h>

#include "config/services_config.hpp"
#include "messages/services.hpp"

namespace vigil::services {

/// A backend could not do what it was asked; the message says why.
class backend_failure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A launched process: enough to find it again after a manager restart.
struct process_handle {
  pid_t pid = 0;
  /// Start time in clock ticks since boot (/proc/<pid>/stat): a reused pid
  /// has another one, so a stranger is never adopted or signalled.
  uint64_t start_ticks = 0;
  std::string cgroup;            ///< Memory cgroup folder; empty when none.
  uint64_t oom_kills_before = 0; ///< The cgroup's OOM kill count at start.
  std::string limit_note;        ///< How the memory limit is enforced, if at all.
};

/// How a process ended.
struct process_exit {
  int exit_code = -1; ///< -1 when a signal ended it or it is unknown.
  int signal = 0;
  bool oom_killed = false;
  std::string detail; ///< E.g. why the exit status is unknown.
};

/// Called once, on a backend thread, when a watched process has ended.
using exit_callback = std::function<void(pid_t pid, const process_exit& exit)>;

class service_backend {
public:
  virtual ~service_backend();

  virtual std::string name() const = 0;

  /// Launches `svc` with its output appended to `log_path`; `on_exit` hears
  /// of its end. Throws backend_failure when it cannot be launched.
  virtual process_handle start(const service_config& svc, const std::string& log_path,
                               exit_callback on_exit)
    = 0;

  /// Watches a process started earlier (maybe by a manager that has died)
  /// again. False when it is gone and its end was not seen: then `on_exit`
  /// is never called. An end seen while no one listened is reported at once.
  virtual bool adopt(const process_handle& process, exit_callback on_exit) = 0;

  /// Asks the process and its group to stop (SIGTERM for exec).
  virtual void terminate(const process_handle& process) = 0;

  /// Ends the process and its group at once (SIGKILL for exec).
  virtual void kill(const process_handle& process) = 0;

  /// Resident memory of the process now; 0 when it is gone.
  virtual uint64_t rss_bytes(const process_handle& process) = 0;

  /// What the process is doing now (running, stopped, ...); none when gone.
  virtual process_activity activity(const process_handle& process) = 0;
};

using backend_factory = std::function<std::unique_ptr<service_backend>(const services_config&)>;

/// Makes the backend `cfg.backend` names; throws backend_failure for an
/// unknown name.
std::unique_ptr<service_backend> make_service_backend(const services_config& cfg);

/// Adds a backend under `name` (later ones replace earlier ones).
void register_service_backend(const std::string& name, backend_factory factory);

} // namespace vigil::services
