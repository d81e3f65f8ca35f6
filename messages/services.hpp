// The services protocol: what the action node's service manager answers about
// the stack's processes (start, stop, restart, status), and its errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace vigil {

/// Every service's status.
using svc_list_atom = caf::atom_constant<caf::atom("svc_list")>;
/// One service's status, by name.
using svc_status_atom = caf::atom_constant<caf::atom("svc_status")>;
using svc_start_atom = caf::atom_constant<caf::atom("svc_start")>;
using svc_stop_atom = caf::atom_constant<caf::atom("svc_stop")>;
using svc_restart_atom = caf::atom_constant<caf::atom("svc_restrt")>;
/// Put a service's last known good config files back (config_history.hpp).
using svc_restore_config_atom = caf::atom_constant<caf::atom("svc_rcfg")>;

/// What the kernel says a service's process is doing now (/proc/<pid>/stat):
/// the evidence that tells a hung process (stopped, stuck in the kernel)
/// from a dead one or a live one.
enum class process_activity : uint8_t {
  none,      ///< No process (not started, or ended).
  running,   ///< R: on a CPU or ready for one.
  sleeping,  ///< S or I: waiting for something (the usual idle state).
  disk_wait, ///< D: uninterruptible, stuck in the kernel (I/O, a dead mount).
  stopped,   ///< T or t: stopped by a signal (SIGSTOP, SIGTSTP) or a tracer.
  zombie,    ///< Z or X: ended, not reaped yet.
};

/// "none", "running", "sleeping", "disk_wait", "stopped", "zombie".
const char* to_string(process_activity x);

/// The activity of a /proc state letter.
process_activity activity_of_state(char state);

/// One service as its manager sees it, as `vigilctl services` shows it.
struct service_status {
  std::string name;
  /// starting (launched, not ready yet), running, stopped (by request),
  /// exited (on its own), killed (by a signal it did not get from a stop),
  /// failed (could not start, exited before it was ready, or not ready in time).
  std::string state;
  int32_t pid = 0;              ///< The process (group leader); 0 when none ran yet.
  int32_t exit_code = -1;       ///< Of the last exit; -1 when none or unknown.
  int32_t signal = 0;           ///< Signal that ended the last run, 0 if none.
  bool oom_killed = false;      ///< The memory cgroup says the kernel OOM-killed it.
  uint32_t restarts = 0;        ///< Restarts done through the manager.
  int64_t started_unix_ms = 0;  ///< Last start, 0 if never.
  int64_t exited_unix_ms = 0;   ///< Last exit, 0 if none since the last start.
  uint64_t rss_bytes = 0;       ///< Resident memory of the process now, 0 when not running.
  std::string log_path;         ///< Where its stdout and stderr go.
  bool ready = false;           ///< Running and its ready_url answered 200 (or it has none).
  std::string detail;           ///< Why it failed or how its exit was seen; empty if nothing to say.
  process_activity activity = process_activity::none; ///< What its process does now.
  /// Its config files differ from those of its last healthy start (false
  /// when it has none, or no start proved healthy yet).
  bool config_changed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, service_status& x) {
  return f(caf::meta::type_name("vigil::service_status"), x.name, x.state, x.pid,
           x.exit_code, x.signal, x.oom_killed, x.restarts, x.started_unix_ms,
           x.exited_unix_ms, x.rss_bytes, x.log_path, x.ready, x.detail, x.activity,
           x.config_changed);
}

/// Field-wise, for tests (inline: equality.cpp is not this protocol's file).
inline bool operator==(const service_status& x, const service_status& y) {
  return x.name == y.name && x.state == y.state && x.pid == y.pid
         && x.exit_code == y.exit_code && x.signal == y.signal
         && x.oom_killed == y.oom_killed && x.restarts == y.restarts
         && x.started_unix_ms == y.started_unix_ms && x.exited_unix_ms == y.exited_unix_ms
         && x.rss_bytes == y.rss_bytes && x.log_path == y.log_path && x.ready == y.ready
         && x.detail == y.detail && x.activity == y.activity
         && x.config_changed == y.config_changed;
}

/// The action node's service manager ("<node>/action/services"). Start,
/// stop and restart answer once done: start when the service is ready,
/// stop when the process is gone. It never restarts a crashed service.
using service_manager_actor = caf::typed_actor<
  caf::replies_to<svc_list_atom>::with<std::vector<service_status>>,
  caf::replies_to<svc_status_atom, std::string>::with<service_status>,
  caf::replies_to<svc_start_atom, std::string>::with<service_status>,
  caf::replies_to<svc_stop_atom, std::string>::with<service_status>,
  caf::replies_to<svc_restart_atom, std::string>::with<service_status>,
  caf::replies_to<svc_restore_config_atom, std::string>::with<std::string>>;

/// Errors a service request can end with.
enum class service_error : uint8_t {
  none = 0,
  unknown_service,
  /// The process could not be launched, exited or was stopped before it
  /// was ready, or was not ready in time.
  start_failed,
  not_running,
  already_running,
  /// The backend failed in a way that is not the service's fault.
  backend_error,
  /// No known good config to put back (none listed, none proved healthy).
  no_good_config,
};

std::string to_string(service_error x);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::service_error, "services")
