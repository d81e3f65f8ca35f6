// How a supervisor starts, restarts and stops one child (OTP child_spec).
#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

namespace vigil::supervision {

/// When a child that exited is restarted.
enum class restart_type {
  permanent, ///< Always.
  transient, ///< Only after an abnormal exit (not normal, not user_shutdown).
  temporary, ///< Never; the child is forgotten after it exits.
};

/// How a child is stopped.
struct shutdown_policy {
  enum class kind {
    brutal_kill, ///< Untrappable exit_reason::kill at once.
    timeout,     ///< user_shutdown, then kill when not gone after `timeout`.
    infinity,    ///< user_shutdown and wait (the default for supervisors).
  };
  kind mode = kind::timeout;
  caf::timespan timeout = std::chrono::seconds(5);

  static shutdown_policy brutal_kill() { return {kind::brutal_kill, {}}; }
  static shutdown_policy after(caf::timespan t) { return {kind::timeout, t}; }
  static shutdown_policy infinity() { return {kind::infinity, {}}; }
};

enum class child_kind { worker, supervisor };

/// Starts one child from inside its supervisor. `path` is the child's unique
/// name ("node/role/id"). Returns an invalid handle (or throws) on failure.
using start_function
  = std::function<caf::actor(caf::local_actor* supervisor, const std::string& path)>;

struct child_spec {
  std::string id;
  start_function start;
  restart_type restart = restart_type::permanent;
  shutdown_policy shutdown = shutdown_policy::after(std::chrono::seconds(5));
  child_kind kind = child_kind::worker;
};

std::string to_string(restart_type x);

} // namespace vigil::supervision
