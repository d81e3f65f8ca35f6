#include "chaos/chaos_role.hpp"

#include <csignal>
#include <fstream>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "chaos/controller.hpp"
#include "chaos/fault.hpp"
#include "chaos/fault_actor.hpp"
#include "chaos/faults/faults.hpp"
#include "chaos/http_api.hpp"
#include "messages/admin.hpp"
#include "messages/services.hpp"
#include "supervision/supervisor.hpp"

namespace vigil::chaos {

namespace {

constexpr auto ask_timeout = std::chrono::seconds(5);

/// The live pid in "<dir>/<service>.pid" (written by another supervisor, e.g.
/// the drill's supervisord baseline), or 0.
pid_t external_pid(const std::string& dir, const std::string& service) {
  if (dir.empty())
    return 0;
  std::ifstream in{dir + "/" + service + ".pid"};
  long pid = 0;
  if (!(in >> pid) || pid <= 0)
    return 0;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 ? static_cast<pid_t>(pid) : 0;
}

/// Blocking cluster lookups for the fault actors (they run detached, on
/// threads of their own, so waiting here blocks no other actor).
struct cluster_access {
  caf::actor_system* sys = nullptr;
  std::function<registry_actor()> registry;

  template <class Handle, class Reply, class... Ts>
  Reply ask(const Handle& h, const std::string& what, Ts... xs) const {
    caf::scoped_actor self{*sys};
    Reply result{};
    caf::error failure;
    self->request(h, ask_timeout, xs...)
      .receive([&](Reply& r) { result = std::move(r); }, [&](caf::error& e) { failure = e; });
    if (failure)
      throw fault_error(what + ": " + sys->render(failure));
    return result;
  }

  registry_actor the_registry() const {
    auto r = registry();
    if (!r)
      throw fault_error("this node has not joined a registry yet");
    return r;
  }

  caf::strong_actor_ptr lookup(const std::string& name) const {
    auto ptr = ask<registry_actor, caf::strong_actor_ptr>(the_registry(), "lookup " + name,
                                                          lookup_atom::value, name);
    if (!ptr)
      throw fault_error("no actor named " + name);
    return ptr;
  }

  std::string action_node(const std::string& configured) const {
    if (!configured.empty())
      return configured;
    auto nodes = ask<registry_actor, std::vector<node_info>>(the_registry(), "list nodes",
                                                             nodes_atom::value);
    for (auto& n : nodes)
      for (auto& role : n.roles)
        if (role == "action" && n.status == "up")
          return n.id;
    throw fault_error("no action node is up to ask for the stack's processes");
  }
};

} // namespace

std::vector<supervision::child_spec> chaos_children(const chaos_role_context& rc) {
  auto ctx = std::make_shared<fault_context>();
  ctx->target = load_target_config(rc.target_file);
  auto access = std::make_shared<cluster_access>();
  access->registry = rc.registry;
  auto services_node = ctx->target.services_node;
  auto pid_dir = ctx->target.external_pid_dir;
  ctx->locate_service = [access, services_node, pid_dir](const std::string& service) -> pid_t {
    auto node = access->action_node(services_node);
    auto manager = caf::actor_cast<service_manager_actor>(access->lookup(node + "/action/services"));
    auto status = access->ask<service_manager_actor, service_status>(
      manager, "status of " + service, svc_status_atom::value, service);
    if (status.pid <= 0 || (status.state != "running" && status.state != "starting")) {
      // Not the service manager's now: another supervisor may run it.
      if (auto pid = external_pid(pid_dir, service); pid > 0)
        return pid;
      throw fault_error(service + " is not running (" + status.state + ")");
    }
    return status.pid;
  };
  ctx->kill_actor = [access](const std::string& actor) {
    auto node = actor.substr(0, actor.find('/'));
    auto admin = caf::actor_cast<admin_actor>(access->lookup(node + "/admin"));
    auto ack = access->ask<admin_actor, admin_ack>(admin, "kill " + actor,
                                                   kill_here_atom::value, actor);
    return "killed " + ack.target + " on " + ack.node + " (" + ack.detail + ")";
  };
  ctx->kill_node = [access](const std::string& node) {
    auto admin = caf::actor_cast<admin_actor>(access->lookup(node + "/admin"));
    auto ack = access->ask<admin_actor, admin_ack>(admin, "crash " + node, crash_atom::value);
    return "node " + ack.node + ": " + ack.detail;
  };
  std::shared_ptr<const fault_context> shared = ctx;
  auto faults_path = rc.node_id + "/chaos/faults";
  supervision::supervisor_spec faults;
  faults.intensity = 10;
  faults.period = std::chrono::seconds(30);
  faults.directory = rc.directory;
  for (auto& f : make_catalogue(*ctx))
    faults.children.push_back(fault_actor_child(f->kind().name, shared));
  auto faults_child = supervision::supervisor_child("faults", faults);
  // The cluster access needs the actor system, known once the subtree starts.
  auto start_faults = faults_child.start;
  faults_child.start = [access, start_faults](caf::local_actor* sup, const std::string& path) {
    access->sys = &sup->home_system();
    return start_faults(sup, path);
  };
  return {faults_child,
          controller_child(shared, rc.directory, faults_path),
          http_api_child(ctx->target.api_listen, ctx->target.api_token_file, rc.directory,
                         rc.node_id + "/chaos/controller")};
}

} // namespace vigil::chaos
