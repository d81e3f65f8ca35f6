// restart_actor: Vigil's own actors are restarted by their supervisors; this
// tool checks that the named actor runs again (through its node's admin
// tree, found in the registry), waits for one that is being restarted, and
// has the parent supervisor restarted when it gave the actor up.
#include <chrono>
#include <optional>
#include <thread>

#include "actors/actions/tools/detail/blocking_ask.hpp"
#include "actors/actions/tools/tools.hpp"
#include "messages/admin.hpp"

namespace vigil::actions {

namespace {

using json = nlohmann::json;

constexpr auto ask_timeout = std::chrono::seconds(5);
constexpr auto settle_timeout = std::chrono::seconds(30);

/// The actor's node in its tree and its parent's path.
struct found {
  tree_node actor;
  std::string parent;
};

std::optional<found> find_in(const tree_node& node, const std::string& path) {
  for (auto& child : node.children) {
    if (child.path == path)
      return found{child, node.path};
    if (auto f = find_in(child, path))
      return f;
  }
  return std::nullopt;
}

class restart_actor : public tool {
public:
  tool_info info() const override {
    return {"restart_actor", "low",
            "Make sure a Vigil actor runs: reports a running one, waits for one being "
            "restarted, restarts its supervisor when it gave it up",
            "actor: its supervision path, e.g. control-1/control/status"};
  }

  json validate(const json& args) const override {
    for (auto& [key, value] : args.items())
      if (key != "actor")
        throw bad_args("unknown argument '" + key + "' (known: actor)");
    auto i = args.find("actor");
    if (i == args.end() || !i->is_string())
      throw bad_args("'actor': required, a supervision path such as control-1/control/status");
    auto actor = i->get<std::string>();
    auto slash = actor.find('/');
    if (slash == 0 || slash == std::string::npos || slash + 1 == actor.size()
        || actor.size() > 256)
      throw bad_args("'actor': expected NODE/ROLE/..., e.g. control-1/control/status");
    return json{{"actor", actor}};
  }

  tool_outcome run(const json& args, tool_env& env) override {
    auto actor = args["actor"].get<std::string>();
    auto node = actor.substr(0, actor.find('/'));
    auto first = look(env, node, actor);
    tool_outcome out;
    if (first.actor.status == "running") {
      out.detail = actor + " is running (restarted " + std::to_string(first.actor.restarts)
                   + " times by its supervisor): nothing to do";
      out.output = {{"changed", false},
                    {"status", first.actor.status},
                    {"restarts", first.actor.restarts}};
      return out;
    }
    bool restarted_parent = false;
    if (first.actor.status == "stopped") {
      // Its supervisor gave it up: the supervisor's own parent restarts the
      // supervisor (and so the actor) once the supervisor is killed.
      auto admin = admin_of(env, node);
      detail::blocking_ask<admin_ack>(env.system, admin, ask_timeout, "kill " + first.parent,
                                      kill_here_atom::value, first.parent);
      restarted_parent = true;
    }
    auto deadline = std::chrono::steady_clock::now() + settle_timeout;
    auto now = first;
    while (now.actor.status != "running") {
      if (std::chrono::steady_clock::now() > deadline) {
        out.status = "failed";
        out.detail = actor + " is still " + now.actor.status + " after "
                     + std::to_string(settle_timeout.count()) + " s";
        out.output = {{"changed", restarted_parent}, {"status", now.actor.status}};
        return out;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      try {
        now = look(env, node, actor);
      } catch (const tool_failure&) {
        now.actor.status = "restarting"; // the subtree is being rebuilt
      }
    }
    out.detail = actor + " runs again (was " + first.actor.status + "; "
                 + (restarted_parent ? "restarted its supervisor " + first.parent
                                     : std::string{"its supervisor restarted it"})
                 + ")";
    out.output = {{"changed", restarted_parent},
                  {"previous_status", first.actor.status},
                  {"status", now.actor.status},
                  {"restarts", now.actor.restarts}};
    return out;
  }

private:
  admin_actor admin_of(tool_env& env, const std::string& node) const {
    auto registry = env.registry ? env.registry() : registry_actor{};
    if (!registry)
      throw tool_failure("this node has not joined a registry yet");
    auto ptr = detail::blocking_ask<caf::strong_actor_ptr>(
      env.system, registry, ask_timeout, "find node " + node, lookup_atom::value,
      node + "/admin");
    if (!ptr)
      throw tool_failure("node " + node + " is not reachable (no " + node + "/admin)");
    return caf::actor_cast<admin_actor>(ptr);
  }

  found look(tool_env& env, const std::string& node, const std::string& actor) const {
    auto tree = detail::blocking_ask<tree_node>(env.system, admin_of(env, node), ask_timeout,
                                                "the tree of " + node, tree_atom::value);
    auto f = find_in(tree, actor);
    if (!f)
      throw tool_failure("no actor " + actor + " in the supervision tree of " + node);
    return *f;
  }
};

} // namespace

tool_ptr make_restart_actor(const actions_config&) {
  return std::make_unique<restart_actor>();
}

} // namespace vigil::actions
