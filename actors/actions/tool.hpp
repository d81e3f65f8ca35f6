// One tool of the action plane: what it is (name, risk, arguments), how its
// arguments are checked, and a run that changes one real thing in the stack.
// Each tool runs in its own detached, supervised actor ("<node>/action/
// tools/<name>"), because runs block (SQL, HTTP, processes).
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <caf/fwd.hpp>
#include <nlohmann/json.hpp>

#include "config/actions_config.hpp"
#include "messages/actions.hpp"
#include "messages/registry.hpp"
#include "messages/services.hpp"

namespace vigil::actions {

/// Arguments that do not fit the tool; the message names the argument.
class bad_args : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

/// A run that could not do its job; the message says why.
class tool_failure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What a run may use besides its settings.
struct tool_env {
  const actions_config& config;
  caf::actor_system& system;
  std::string node_id;
  /// This node's service manager ("<node>/action/services"); invalid when none.
  std::function<service_manager_actor()> services;
  /// The cluster registry, to reach other nodes' actors; invalid when unknown.
  std::function<registry_actor()> registry;
};

/// What a run did: status "done" or "failed", in words, and measured facts.
struct tool_outcome {
  std::string status = "done";
  std::string detail;
  nlohmann::json output = nlohmann::json::object();
};

class tool {
public:
  virtual ~tool() = default;

  /// Name, default risk, summary, arguments in words.
  virtual tool_info info() const = 0;

  /// Checks `args` and fills in defaults; throws bad_args naming the
  /// argument. Unknown arguments are refused. Pure: changes nothing.
  virtual nlohmann::json validate(const nlohmann::json& args) const = 0;

  /// Does it (blocking). Idempotent: when the effect is already in place it
  /// changes nothing and says so. Throws tool_failure (or any exception) when
  /// it could not act; returns status "failed" when it acted and it did not work.
  virtual tool_outcome run(const nlohmann::json& args, tool_env& env) = 0;
};

using tool_ptr = std::unique_ptr<tool>;

} // namespace vigil::actions
