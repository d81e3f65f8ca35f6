#include "nodes/membership.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "messages/admin.hpp"

namespace vigil {

namespace {

using connect_atom = caf::atom_constant<caf::atom("m_connect")>;
using beat_atom = caf::atom_constant<caf::atom("m_beat")>;

struct membership_state {
  static inline const char* name = "vigil.membership";
  node_context_ptr ctx;
  registry_actor registry;     // valid once registered
  uint64_t registered_version = 0;
  uint64_t epoch = 0;          // bumps when the registry is lost; stale loops stop
  uint32_t attempts = 0;       // failed joins in a row, for the backoff
  size_t next_endpoint = 0;    // round robin over the configured control nodes
  uint32_t missed_beats = 0;
  bool joining = false;
};

using membership_ptr = caf::stateful_actor<membership_state>*;

constexpr auto request_timeout = std::chrono::seconds(3);

node_registration registration_of(const node_context& ctx) {
  node_registration reg;
  reg.id = ctx.config.id;
  reg.host = ctx.config.host;
  reg.port = ctx.config.port;
  reg.roles = ctx.config.roles;
  reg.started_unix_ms = ctx.started_unix_ms;
  for (auto& [name, handle] : ctx.directory->entries())
    reg.actors.push_back({name, caf::actor_cast<caf::strong_actor_ptr>(handle)});
  return reg;
}

void schedule_connect(membership_ptr self) {
  auto& st = self->state;
  // 50 ms after the first failure, doubling up to 1 s between attempts.
  auto delay = std::chrono::milliseconds{50} * (1u << std::min(std::max(st.attempts, 1u) - 1, 5u));
  delay = std::min<std::chrono::milliseconds>(delay, std::chrono::seconds(1));
  self->delayed_send(self, delay, connect_atom::value, st.epoch);
}

void join_failed(membership_ptr self, const std::string& where, const caf::error& err) {
  auto& st = self->state;
  st.joining = false;
  if (st.attempts++ % 20 == 0)
    spdlog::warn("membership: cannot join {}: {} (retrying)", where,
                 self->home_system().render(err));
  schedule_connect(self);
}

void send_registration(membership_ptr self, registry_actor registry, std::string where) {
  auto& st = self->state;
  auto version = st.ctx->directory->version();
  self->request(registry, request_timeout, register_atom::value, registration_of(*st.ctx))
    .then(
      [self, registry, version, where](const std::string& registry_node) {
        auto& st = self->state;
        st.joining = false;
        st.registered_version = version;
        if (st.registry != registry) {
          st.registry = registry;
          st.ctx->set_registry(registry);
          self->monitor(registry);
          st.attempts = 0;
          st.missed_beats = 0;
          spdlog::info("membership: registered with the registry of {} via {}",
                       registry_node, where);
          self->send(self, beat_atom::value, st.epoch);
        }
      },
      [self, where](caf::error& err) {
        if (self->state.registry) {
          // Registered already: the next heartbeat tries again.
          spdlog::warn("membership: re-registering failed: {}", self->home_system().render(err));
          self->state.joining = false;
          return;
        }
        join_failed(self, where, err);
      });
}

void connect(membership_ptr self) {
  auto& st = self->state;
  if (st.registry || st.joining)
    return;
  st.joining = true;
  auto& cfg = st.ctx->config;
  if (cfg.has_role("control")) {
    // A control node registers with its own registry.
    auto local = st.ctx->directory->get(st.ctx->path(actor_paths::registry));
    if (!local) {
      join_failed(self, "the local registry", caf::make_error(admin_error::no_registry));
      return;
    }
    send_registration(self, caf::actor_cast<registry_actor>(local), "the local registry");
    return;
  }
  auto target = cfg.join[st.next_endpoint++ % cfg.join.size()];
  auto where = target.to_string();
  auto mm = self->home_system().middleman().actor_handle();
  self->request(mm, request_timeout, caf::connect_atom::value, target.host, target.port)
    .then(
      [self, where](const caf::node_id&, caf::strong_actor_ptr& ptr,
                    const std::set<std::string>&) {
        if (!ptr) {
          join_failed(self, where, caf::make_error(admin_error::no_registry, "nothing published"));
          return;
        }
        auto admin = caf::actor_cast<admin_actor>(ptr);
        self->request(admin, request_timeout, join_atom::value)
          .then(
            [self, where](registry_actor& registry) {
              if (!registry) {
                join_failed(self, where, caf::make_error(admin_error::no_registry, where));
                return;
              }
              send_registration(self, registry, where);
            },
            [self, where](caf::error& err) { join_failed(self, where, err); });
      },
      [self, where](caf::error& err) { join_failed(self, where, err); });
}

void lose_registry(membership_ptr self, const std::string& why) {
  auto& st = self->state;
  if (!st.registry)
    return;
  spdlog::warn("membership: lost the registry ({}), joining again", why);
  self->demonitor(st.registry.address());
  st.registry = registry_actor{};
  st.ctx->set_registry(registry_actor{});
  ++st.epoch;
  st.attempts = 0;
  self->send(self, connect_atom::value, st.epoch);
}

void beat(membership_ptr self) {
  auto& st = self->state;
  if (!st.registry)
    return;
  auto interval = std::chrono::milliseconds{st.ctx->config.heartbeat_ms};
  self->delayed_send(self, interval, beat_atom::value, st.epoch);
  if (st.ctx->directory->version() != st.registered_version) {
    // Actors restarted or changed: the registry needs the new handles.
    send_registration(self, st.registry, "the registry");
    return;
  }
  self->request(st.registry, interval * 3, heartbeat_atom::value, st.ctx->config.id)
    .then(
      [self](bool known) {
        self->state.missed_beats = 0;
        if (!known && self->state.registry)
          send_registration(self, self->state.registry, "the registry");
      },
      [self](caf::error& err) {
        if (++self->state.missed_beats >= 3)
          lose_registry(self, "no answer to heartbeats: " + self->home_system().render(err));
      });
}

caf::behavior membership(membership_ptr self, node_context_ptr ctx) {
  self->state.ctx = ctx;
  self->set_down_handler([self](caf::down_msg& msg) {
    if (self->state.registry && msg.source == self->state.registry.address())
      lose_registry(self, self->home_system().render(msg.reason));
  });
  self->send(self, connect_atom::value, uint64_t{0});
  return {
    [self](connect_atom, uint64_t epoch) {
      if (epoch == self->state.epoch)
        connect(self);
    },
    [self](beat_atom, uint64_t epoch) {
      if (epoch == self->state.epoch)
        beat(self);
    },
  };
}

} // namespace

supervision::child_spec membership_child(node_context_ptr ctx) {
  supervision::child_spec spec;
  spec.id = "membership";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn(membership, ctx);
  };
  return spec;
}

} // namespace vigil
