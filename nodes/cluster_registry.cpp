#include "nodes/cluster_registry.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/admin.hpp"
#include "messages/unix_time.hpp"

namespace vigil {

namespace {

using check_atom = caf::atom_constant<caf::atom("reg_check")>;

struct member {
  node_registration registration;
  caf::actor_addr membership; // the node's membership actor, monitored
  std::string status;
  std::string status_reason;
  caf::actor_clock::time_point last_seen;
  int64_t last_heartbeat_unix_ms = 0;
  int64_t status_since_unix_ms = 0;
};

struct registry_state {
  static inline const char* name = "vigil.registry";
  node_context_ptr ctx;
  std::map<std::string, member> members;
  std::set<caf::actor_addr> monitored; // registered actors we watch
};

using registry_ptr = caf::stateful_actor<registry_state>*;

void set_status(member& m, const std::string& status, const std::string& reason) {
  if (m.status == status && m.status_reason == reason)
    return;
  if (m.status != status)
    m.status_since_unix_ms = now_unix_ms();
  m.status = status;
  m.status_reason = reason;
  auto log = status == "up" ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(log, "registry: node {} is {} ({})", m.registration.id, status, reason);
}

node_info info_of(const member& m) {
  node_info info;
  info.id = m.registration.id;
  info.host = m.registration.host;
  info.port = m.registration.port;
  info.roles = m.registration.roles;
  info.status = m.status;
  info.status_reason = m.status_reason;
  info.last_heartbeat_unix_ms = m.last_heartbeat_unix_ms;
  info.status_since_unix_ms = m.status_since_unix_ms;
  for (auto& entry : m.registration.actors)
    info.actors.push_back(entry.name);
  return info;
}

caf::behavior cluster_registry(registry_ptr self, node_context_ptr ctx) {
  self->state.ctx = ctx;
  auto down_after = std::chrono::milliseconds{ctx->config.down_after_ms};
  auto check_every = std::chrono::milliseconds{std::max(20u, ctx->config.heartbeat_ms / 2)};
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.monitored.erase(msg.source);
    for (auto& [id, m] : self->state.members) {
      // A registered actor died: forget its handle until the node registers
      // the restarted one, so nobody is sent to a dead actor meanwhile.
      for (auto& entry : m.registration.actors)
        if (entry.handle && entry.handle->address() == msg.source)
          entry.handle = nullptr;
      if (m.membership != msg.source)
        continue;
      // A lost connection means the node is gone (or cut off). Any other
      // reason but a graceful stop means only its membership actor
      // restarted: the new one registers again at once, so the node is not
      // marked down for it.
      if (msg.reason == caf::exit_reason::remote_link_unreachable)
        set_status(m, "down", "connection lost");
      else if (msg.reason == caf::exit_reason::user_shutdown)
        set_status(m, "down", "stopped");
      m.membership = nullptr;
    }
  });
  self->send(self, check_atom::value);
  return {
    [self](register_atom, node_registration& reg) -> std::string {
      auto& st = self->state;
      auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
      auto i = st.members.find(reg.id);
      std::string reason = "joined";
      if (i != st.members.end()) {
        auto& old = i->second.registration;
        reason = old.started_unix_ms != reg.started_unix_ms ? "rejoined after restart"
                 : i->second.status == "down"               ? "rejoined"
                                                            : "re-registered";
      }
      auto& m = st.members[reg.id];
      m.registration = std::move(reg);
      for (auto& entry : m.registration.actors)
        if (entry.handle && st.monitored.insert(entry.handle->address()).second)
          self->monitor(entry.handle);
      if (sender && sender != m.membership) {
        m.membership = sender;
        self->monitor(sender);
      }
      m.last_seen = self->clock().now();
      m.last_heartbeat_unix_ms = now_unix_ms();
      if (m.status != "up" || reason != "re-registered")
        set_status(m, "up", reason);
      spdlog::debug("registry: {} registered {} actors", m.registration.id,
                    m.registration.actors.size());
      return st.ctx->config.id;
    },
    [self](heartbeat_atom, const std::string& id) -> bool {
      auto i = self->state.members.find(id);
      if (i == self->state.members.end())
        return false; // unknown: the node must register first
      auto& m = i->second;
      m.last_seen = self->clock().now();
      m.last_heartbeat_unix_ms = now_unix_ms();
      if (m.status != "up")
        set_status(m, "up", "heartbeat resumed");
      return true;
    },
    [self](nodes_atom) {
      std::vector<node_info> result;
      for (auto& [id, m] : self->state.members)
        result.push_back(info_of(m));
      return result;
    },
    [self](lookup_atom, const std::string& name) -> caf::result<caf::strong_actor_ptr> {
      for (auto& [id, m] : self->state.members)
        for (auto& entry : m.registration.actors)
          if (entry.name == name) {
            if (m.status != "up")
              return caf::make_error(admin_error::node_down, id + " is down");
            if (!entry.handle)
              return caf::make_error(admin_error::actor_restarting, name);
            return entry.handle;
          }
      return caf::make_error(admin_error::unknown_actor, name);
    },
    [self, down_after, check_every](check_atom) {
      auto now = self->clock().now();
      for (auto& [id, m] : self->state.members)
        if (m.status == "up" && now - m.last_seen > down_after)
          set_status(m, "down",
                     "no heartbeat for "
                       + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          now - m.last_seen)
                                          .count())
                       + " ms");
      self->delayed_send(self, check_every, check_atom::value);
    },
  };
}

} // namespace

supervision::child_spec cluster_registry_child(node_context_ptr ctx) {
  supervision::child_spec spec;
  spec.id = "registry";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn(cluster_registry, ctx);
  };
  return spec;
}

} // namespace vigil
