// The supervision protocol: what a supervisor answers about its tree, and its errors.
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

/// Asks a supervisor for its live tree (OTP which_children, recursively).
using which_atom = caf::atom_constant<caf::atom("which")>;
/// Adds one child to a dynamic pool (simple_one_for_one); replies its id.
using add_child_atom = caf::atom_constant<caf::atom("add_child")>;
/// Stops and removes one child of a dynamic pool.
using drop_child_atom = caf::atom_constant<caf::atom("drop_child")>;

/// One node of a live supervision tree, as shown by `vigilctl tree`.
struct tree_node {
  std::string path;                ///< Unique name, e.g. "control-1/control/registry".
  std::string kind;                ///< "supervisor" or "worker".
  std::string strategy;            ///< Supervisors only: one_for_one, one_for_all, ...
  std::string restart;             ///< permanent, transient or temporary.
  std::string status;              ///< running, stopping, restarting, stopped.
  uint32_t restarts = 0;           ///< How often this child was restarted.
  std::string last_exit_reason;    ///< Empty until the child exited once.
  int64_t last_exit_unix_ms = 0;   ///< Wall-clock time of that exit, 0 if none.
  std::vector<tree_node> children; ///< Supervisors only.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tree_node& x) {
  return f(caf::meta::type_name("vigil::tree_node"), x.path, x.kind,
           x.strategy, x.restart, x.status, x.restarts, x.last_exit_reason,
           x.last_exit_unix_ms, x.children);
}

bool operator==(const tree_node& x, const tree_node& y);

/// The interface every supervisor offers, locally and across nodes.
using supervisor_actor = caf::typed_actor<
  caf::replies_to<which_atom>::with<tree_node>,
  caf::replies_to<add_child_atom>::with<std::string>,
  caf::replies_to<drop_child_atom, std::string>::with<bool>>;

/// Why a supervisor gave up.
enum class supervision_error : uint8_t {
  none = 0,
  /// More than `intensity` restarts within `period`: the parent decides.
  restart_intensity_exceeded,
  /// A child's start function failed while the supervisor started up.
  child_start_failed,
  /// The request names no child of this supervisor.
  no_such_child,
  /// The request needs a simple_one_for_one supervisor.
  not_a_pool,
};

std::string to_string(supervision_error x);

} // namespace vigil

CAF_ERROR_CODE_ENUM(vigil::supervision_error, "supervisor")
