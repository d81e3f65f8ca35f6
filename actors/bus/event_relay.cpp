#include "actors/bus/event_relay.hpp"

#include <atomic>
#include <deque>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/bus/event_check.hpp"
#include "messages/observability.hpp"
#include "metrics/registry.hpp"
#include "messages/unix_time.hpp"

namespace vigil::bus {

namespace {

// Local to this node: never crosses the wire.
using resolve_atom = caf::atom_constant<caf::atom("resolve")>;

constexpr auto ask_timeout = std::chrono::seconds(2);

// Process-wide, so a restarted relay continues the numbering.
std::atomic<uint64_t> relay_seq{0};

struct relay_state {
  static inline const char* name = "vigil.relay";
  relay_config config;
  caf::actor bus;
  bool resolving = false;
  std::deque<event> buffer; // in publish order, while the bus is away
  uint64_t dropped = 0;
};

using relay_ptr = caf::stateful_actor<relay_state>*;

void set_buffer_gauge(relay_ptr self) {
  metrics::registry::global().set("vigil_relay_buffered", {},
                                  static_cast<double>(self->state.buffer.size()));
}

void use_bus(relay_ptr self, caf::actor bus) {
  auto& st = self->state;
  st.bus = std::move(bus);
  self->monitor(st.bus);
  if (!st.buffer.empty())
    spdlog::info("relay: bus found; delivering {} buffered events", st.buffer.size());
  // Sends from one actor to one actor arrive in order: the buffer first.
  while (!st.buffer.empty()) {
    self->send(st.bus, publish_atom::value, std::move(st.buffer.front()));
    st.buffer.pop_front();
  }
  set_buffer_gauge(self);
}

void resolve_later(relay_ptr self) {
  self->delayed_send(self, self->state.config.resolve_every, resolve_atom::value);
}

// Looks the bus up; on failure tries again after resolve_every.
void resolve(relay_ptr self) {
  auto& st = self->state;
  if (st.bus || st.resolving)
    return;
  if (st.config.local_bus) {
    if (auto bus = st.config.local_bus())
      use_bus(self, std::move(bus));
    else
      resolve_later(self);
    return;
  }
  auto registry = st.config.registry ? st.config.registry() : registry_actor{};
  if (!registry) {
    resolve_later(self);
    return;
  }
  st.resolving = true;
  auto failed = [self](caf::error&) {
    self->state.resolving = false;
    resolve_later(self);
  };
  self->request(registry, ask_timeout, nodes_atom::value)
    .then(
      [self, registry, failed](std::vector<node_info>& nodes) {
        std::string control;
        for (auto& n : nodes)
          if (n.status == "up"
              && std::find(n.roles.begin(), n.roles.end(), "control") != n.roles.end()) {
            control = n.id;
            break;
          }
        if (control.empty()) {
          self->state.resolving = false;
          resolve_later(self);
          return;
        }
        self->request(registry, ask_timeout, lookup_atom::value, control + "/control/bus")
          .then(
            [self](caf::strong_actor_ptr& ptr) {
              self->state.resolving = false;
              if (ptr)
                use_bus(self, caf::actor_cast<caf::actor>(ptr));
              else
                resolve_later(self);
            },
            failed);
      },
      failed);
}

void publish(relay_ptr self, event& e) {
  auto& st = self->state;
  if (auto why = check_event(e)) {
    spdlog::warn("relay: refused an event on topic \"{}\": {}", e.topic.substr(0, 80), *why);
    return;
  }
  if (e.id.empty())
    e.id = st.config.node_id + "@" + std::to_string(st.config.started_unix_ms) + ":"
           + std::to_string(++relay_seq);
  if (e.source.empty())
    e.source = st.config.node_id;
  if (e.at_unix_ms == 0)
    e.at_unix_ms = now_unix_ms();
  if (st.bus) {
    self->send(st.bus, publish_atom::value, std::move(e));
    return;
  }
  st.buffer.push_back(std::move(e));
  if (st.buffer.size() > st.config.buffer_limit) {
    st.buffer.pop_front();
    ++st.dropped;
    metrics::registry::global().add("vigil_relay_dropped_total", {});
    if (st.dropped == 1 || st.dropped % 1000 == 0)
      spdlog::warn("relay: bus away and buffer full; {} oldest events dropped so far",
                   st.dropped);
  }
  set_buffer_gauge(self);
}

caf::behavior event_relay(relay_ptr self, relay_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  if (st.config.buffer_limit == 0)
    st.config.buffer_limit = 1;
  auto& reg = metrics::registry::global();
  reg.describe("vigil_relay_buffered", metrics::kind::gauge,
               "Events the relay holds while the bus is unreachable.");
  reg.describe("vigil_relay_dropped_total", metrics::kind::counter,
               "Events the relay dropped (oldest first) because its buffer was full.");
  set_buffer_gauge(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source != self->state.bus.address())
      return;
    spdlog::info("relay: bus down ({}); buffering until it is back",
                 self->system().render(msg.reason));
    self->state.bus = nullptr;
    resolve(self);
  });
  resolve(self);
  return {
    [self](publish_atom, event& e) { publish(self, e); },
    [self](resolve_atom) { resolve(self); },
    // Buffered and dropped counts, for tests and vigilctl.
    [self](stats_atom) {
      return std::make_tuple(static_cast<uint64_t>(self->state.buffer.size()),
                             self->state.dropped, static_cast<bool>(self->state.bus));
    },
  };
}

} // namespace

caf::actor spawn_event_relay(caf::actor_system& sys, relay_config config) {
  return sys.spawn(event_relay, std::move(config));
}

supervision::child_spec relay_child(relay_config config) {
  supervision::child_spec spec;
  spec.id = "events";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [config](caf::local_actor* sup, const std::string&) {
    return sup->home_system().spawn(event_relay, config);
  };
  return spec;
}

} // namespace vigil::bus
