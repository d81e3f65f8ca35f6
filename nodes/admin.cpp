#include "nodes/admin.hpp"

#include <algorithm>

#include <csignal>

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "messages/admin.hpp"

namespace vigil {

namespace {

using shutdown_atom = caf::atom_constant<caf::atom("a_shutdown")>;

constexpr auto hop_timeout = std::chrono::seconds(3);

struct admin_state {
  static inline const char* name = "vigil.admin";
  node_context_ptr ctx;
};

using admin_ptr = caf::stateful_actor<admin_state>*;

/// The registry to ask: our own on control nodes, else the one we joined.
registry_actor registry_of(admin_ptr self) {
  auto& ctx = *self->state.ctx;
  if (ctx.config.has_role("control"))
    return caf::actor_cast<registry_actor>(ctx.directory->get(ctx.path(actor_paths::registry)));
  return ctx.registry();
}

/// Finds `node`'s admin through the registry, then calls `f(admin)`;
/// errors go to `rp`.
template <class F>
void with_admin_of(admin_ptr self, const std::string& node, caf::response_promise rp, F f) {
  auto registry = registry_of(self);
  if (!registry) {
    rp.deliver(caf::make_error(admin_error::no_registry, "this node has not joined a registry yet"));
    return;
  }
  self->request(registry, hop_timeout, lookup_atom::value, node + "/admin")
    .then(
      [rp, f, node](caf::strong_actor_ptr& ptr) mutable {
        if (!ptr) {
          rp.deliver(caf::make_error(admin_error::unknown_node, node));
          return;
        }
        f(caf::actor_cast<admin_actor>(ptr), rp);
      },
      [rp, node](caf::error& err) mutable {
        if (err == admin_error::unknown_actor)
          rp.deliver(caf::make_error(admin_error::unknown_node, node));
        else
          rp.deliver(err);
      });
}

/// Replies of a service manager wait for stops and readiness: the caller's
/// own timeout (vigilctl --timeout) decides how long anyone waits.
constexpr auto service_timeout = std::chrono::minutes(10);

/// Finds the service manager of `node`, or of the first up node with the
/// action role (one running a manager preferred) when `node` is empty, then
/// calls `f(manager, rp)`; errors go to `rp`.
template <class F>
void with_services_of(admin_ptr self, const std::string& node, caf::response_promise rp, F f) {
  auto registry = registry_of(self);
  if (!registry) {
    rp.deliver(caf::make_error(admin_error::no_registry, "this node has not joined a registry yet"));
    return;
  }
  auto lookup = [self, f](const std::string& id, caf::response_promise rp) {
    self->request(registry_of(self), hop_timeout, lookup_atom::value, id + "/action/services")
      .then(
        [rp, f, id](caf::strong_actor_ptr& ptr) mutable {
          if (!ptr) {
            rp.deliver(caf::make_error(admin_error::unknown_actor, id + "/action/services"));
            return;
          }
          f(caf::actor_cast<service_manager_actor>(ptr), rp);
        },
        [rp](caf::error& err) mutable { rp.deliver(err); });
  };
  if (!node.empty()) {
    lookup(node, rp);
    return;
  }
  self->request(registry, hop_timeout, nodes_atom::value)
    .then(
      [rp, lookup](std::vector<node_info>& nodes) mutable {
        const node_info* pick = nullptr;
        for (auto& n : nodes) {
          if (n.status != "up"
              || std::find(n.roles.begin(), n.roles.end(), "action") == n.roles.end())
            continue;
          auto manager = n.id + "/action/services";
          if (std::find(n.actors.begin(), n.actors.end(), manager) != n.actors.end()) {
            pick = &n;
            break;
          }
          if (!pick)
            pick = &n;
        }
        if (!pick) {
          rp.deliver(caf::make_error(admin_error::unknown_node, "no node with the action role is up"));
          return;
        }
        lookup(pick->id, rp);
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
}

/// Forwards one request about the service `name` to the service manager of
/// `node` (see with_services_of).
template <class Atom>
caf::response_promise ask_service(admin_ptr self, Atom atom, const std::string& node,
                                  const std::string& name) {
  auto rp = self->make_response_promise();
  with_services_of(self, node, rp, [self, atom, name](service_manager_actor manager,
                                                      caf::response_promise rp) {
    self->request(manager, service_timeout, atom, name)
      .then([rp](service_status& status) mutable { rp.deliver(std::move(status)); },
            [rp](caf::error& err) mutable { rp.deliver(err); });
  });
  return rp;
}

/// Answers `tree ""`: every up node's tree, unreachable ones marked as such.
void all_trees(admin_ptr self, caf::response_promise rp) {
  auto registry = registry_of(self);
  if (!registry) {
    rp.deliver(caf::make_error(admin_error::no_registry, "this node has not joined a registry yet"));
    return;
  }
  self->request(registry, hop_timeout, nodes_atom::value)
    .then(
      [self, rp](std::vector<node_info>& nodes) mutable {
        struct pending {
          std::vector<tree_node> trees;
          size_t open;
          caf::response_promise rp;
        };
        auto p = std::make_shared<pending>(pending{{}, nodes.size(), rp});
        p->trees.resize(nodes.size());
        if (nodes.empty()) {
          rp.deliver(std::vector<tree_node>{});
          return;
        }
        for (size_t i = 0; i < nodes.size(); ++i) {
          auto& slot = p->trees[i];
          slot.path = nodes[i].id;
          slot.kind = "node";
          slot.status = nodes[i].status == "up" ? "unreachable" : "down";
          auto done = [p] {
            if (--p->open == 0)
              p->rp.deliver(p->trees);
          };
          if (nodes[i].status != "up") {
            done();
            continue;
          }
          self->request(registry_of(self), hop_timeout, lookup_atom::value, nodes[i].id + "/admin")
            .then(
              [self, p, i, done](caf::strong_actor_ptr& ptr) {
                self->request(caf::actor_cast<admin_actor>(ptr), hop_timeout, tree_atom::value)
                  .then(
                    [p, i, done](tree_node& t) {
                      p->trees[i] = std::move(t);
                      done();
                    },
                    [done](caf::error&) { done(); });
              },
              [done](caf::error&) { done(); });
        }
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
}

caf::behavior admin(admin_ptr self, node_context_ptr ctx) {
  self->state.ctx = ctx;
  auto root = [self] {
    auto& c = *self->state.ctx;
    return caf::actor_cast<supervisor_actor>(c.directory->get(c.config.id));
  };
  return {
    // -- cluster-wide requests ------------------------------------------------
    [self](nodes_atom) -> caf::result<std::vector<node_info>> {
      auto registry = registry_of(self);
      if (!registry)
        return caf::make_error(admin_error::no_registry, "this node has not joined a registry yet");
      return self->delegate(registry, nodes_atom::value);
    },
    [self](tree_atom, const std::string& node) {
      auto rp = self->make_response_promise();
      if (node.empty()) {
        all_trees(self, rp);
        return rp;
      }
      with_admin_of(self, node, rp, [self](admin_actor admin, caf::response_promise rp) {
        self->request(admin, hop_timeout, tree_atom::value)
          .then([rp](tree_node& t) mutable { rp.deliver(std::vector<tree_node>{std::move(t)}); },
                [rp](caf::error& err) mutable { rp.deliver(err); });
      });
      return rp;
    },
    [self](ping_atom, const std::string& node) {
      auto rp = self->make_response_promise();
      with_admin_of(self, node, rp, [self, node](admin_actor admin, caf::response_promise rp) {
        auto sent = std::chrono::steady_clock::now();
        self->request(admin, hop_timeout, ping_atom::value)
          .then(
            [rp, sent](const std::string& id) mutable {
              auto rtt = std::chrono::steady_clock::now() - sent;
              rp.deliver(ping_result{
                id, std::chrono::duration_cast<std::chrono::microseconds>(rtt).count()});
            },
            [rp](caf::error& err) mutable { rp.deliver(err); });
      });
      return rp;
    },
    [self](kill_atom, const std::string& name) {
      auto rp = self->make_response_promise();
      auto node = name.substr(0, name.find('/'));
      with_admin_of(self, node, rp, [self, name](admin_actor admin, caf::response_promise rp) {
        self->request(admin, hop_timeout, kill_here_atom::value, name)
          .then([rp](admin_ack& ack) mutable { rp.deliver(std::move(ack)); },
                [rp](caf::error& err) mutable { rp.deliver(err); });
      });
      return rp;
    },
    [self](stop_atom, const std::string& node) {
      auto rp = self->make_response_promise();
      with_admin_of(self, node, rp, [self](admin_actor admin, caf::response_promise rp) {
        self->request(admin, hop_timeout, stop_atom::value)
          .then([rp](admin_ack& ack) mutable { rp.deliver(std::move(ack)); },
                [rp](caf::error& err) mutable { rp.deliver(err); });
      });
      return rp;
    },
    // -- this node ------------------------------------------------------------
    [self, root](tree_atom) -> caf::result<tree_node> {
      auto sup = root();
      if (!sup)
        return caf::make_error(admin_error::unknown_actor, "root supervisor");
      return self->delegate(sup, which_atom::value);
    },
    [self](ping_atom) { return self->state.ctx->config.id; },
    [self](stop_atom) {
      spdlog::info("admin: stopping this node on request");
      // Answer first; the shutdown follows once the reply is on its way.
      self->delayed_send(self, std::chrono::milliseconds(100), shutdown_atom::value);
      auto& id = self->state.ctx->config.id;
      return admin_ack{id, id, "stopping gracefully"};
    },
    [self, root](shutdown_atom) { self->send_exit(root(), caf::exit_reason::user_shutdown); },
    [self](crash_atom) {
      auto& id = self->state.ctx->config.id;
      spdlog::warn("admin: crashing this node on request (SIGKILL to itself)");
      // Answer first; the kill follows once the reply is on its way.
      self->delayed_send(self, std::chrono::milliseconds(100), crash_atom::value, true);
      return admin_ack{id, id, "SIGKILL in 100 ms"};
    },
    [](crash_atom, bool) { ::kill(::getpid(), SIGKILL); },
    [self](lookup_atom, const std::string& name) -> caf::result<caf::strong_actor_ptr> {
      auto registry = registry_of(self);
      if (!registry)
        return caf::make_error(admin_error::no_registry, "this node has not joined a registry yet");
      return self->delegate(registry, lookup_atom::value, name);
    },
    [self](kill_here_atom, const std::string& name) -> caf::result<admin_ack> {
      auto& ctx = *self->state.ctx;
      if (name == ctx.config.id)
        return caf::make_error(admin_error::unknown_actor,
                               "the root supervisor is not killable; use 'stop " + name + "'");
      auto target = ctx.directory->get(name);
      if (!target)
        return caf::make_error(admin_error::unknown_actor, name);
      spdlog::warn("admin: killing {} on request (untrappable exit)", name);
      self->send_exit(target, caf::exit_reason::kill);
      return admin_ack{name, ctx.config.id, "sent exit_reason::kill"};
    },
    [self](join_atom) { return registry_of(self); },
    // -- the action node's services (cluster-wide) ------------------------------
    [self](svc_list_atom, const std::string& node) {
      auto rp = self->make_response_promise();
      with_services_of(self, node, rp, [self](service_manager_actor manager,
                                              caf::response_promise rp) {
        self->request(manager, service_timeout, svc_list_atom::value)
          .then([rp](std::vector<service_status>& all) mutable { rp.deliver(std::move(all)); },
                [rp](caf::error& err) mutable { rp.deliver(err); });
      });
      return rp;
    },
    [self](svc_status_atom atom, const std::string& node, const std::string& name) {
      return ask_service(self, atom, node, name);
    },
    [self](svc_start_atom atom, const std::string& node, const std::string& name) {
      return ask_service(self, atom, node, name);
    },
    [self](svc_stop_atom atom, const std::string& node, const std::string& name) {
      return ask_service(self, atom, node, name);
    },
    [self](svc_restart_atom atom, const std::string& node, const std::string& name) {
      return ask_service(self, atom, node, name);
    },
  };
}

} // namespace

supervision::child_spec admin_child(node_context_ptr ctx) {
  supervision::child_spec spec;
  spec.id = "admin";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    auto& sys = sup->home_system();
    auto handle = sys.spawn(admin, ctx);
    auto& cfg = ctx->config;
    // After a restart the port still maps to the dead admin: free it first.
    sys.middleman().close(cfg.port);
    auto port = sys.middleman().publish(caf::actor_cast<admin_actor>(handle), cfg.port,
                                        cfg.host.c_str(), true);
    if (!port) {
      caf::anon_send_exit(handle, caf::exit_reason::kill);
      throw std::runtime_error("cannot listen on " + cfg.host + ":" + std::to_string(cfg.port)
                               + ": " + sys.render(port.error()));
    }
    spdlog::info("admin: listening on {}:{}", cfg.host, *port);
    return handle;
  };
  return spec;
}

} // namespace vigil
