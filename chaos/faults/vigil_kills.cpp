// actor_kill and node_kill: a Vigil actor or node process is killed, to
// exercise the supervision trees (and later, self-chaos).
#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class actor_kill : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto actor = params["actor"].get<std::string>();
    if (actor.empty())
      throw fault_error("parameter 'actor' is required, e.g. action-1/membership");
    return ctx_.kill_actor(actor);
  }

  std::string revert(bool) override { return "nothing more injected; supervision restarts it"; }
};

class node_kill : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto node = params["node"].get<std::string>();
    if (node.empty())
      throw fault_error("parameter 'node' is required, e.g. action-1");
    return ctx_.kill_node(node);
  }

  std::string revert(bool) override { return "nothing more injected; the node stays down"; }
};

} // namespace

fault_ptr make_actor_kill(const fault_context& ctx) {
  return std::make_unique<actor_kill>(
    make_kind("actor_kill", "vigil_actor_crash", "safe", "vigil",
              "Kills a named Vigil actor with an untrappable exit.",
              "Nothing to undo: its supervisor restarts it.", true, 10,
              {string_param("actor", "", "actor name, e.g. action-1/membership")},
              {{"restart_actor", ""}}),
    ctx);
}

fault_ptr make_node_kill(const fault_context& ctx) {
  return std::make_unique<node_kill>(
    make_kind("node_kill", "vigil_node_crash", "safe", "vigil",
              "Kills a Vigil node process with SIGKILL.",
              "Nothing to undo: the node stays down until restarted.", true, 10,
              {string_param("node", "", "node id, e.g. chaos-1")},
              {{"start_node", ""}}),
    ctx);
}

} // namespace vigil::chaos
