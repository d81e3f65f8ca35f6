#include "actors/status/status_board.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/bus/publish.hpp"
#include "messages/observability_json.hpp"
#include "metrics/registry.hpp"
#include "messages/unix_time.hpp"

namespace vigil::status {

namespace {

using json = nlohmann::json;
using check_atom = caf::atom_constant<caf::atom("sb_check")>;

constexpr auto subscribe_timeout = std::chrono::seconds(5);
const char* const topics[] = {"probe.", "sli."};

struct board_state {
  static inline const char* name = "vigil.status";
  status_board_context ctx;
  std::unique_ptr<health_board> board;
  caf::actor followed; ///< The bus it subscribed to; invalid when none.
  uint64_t bad_events = 0;
};

using board_ptr = caf::stateful_actor<board_state>*;

int64_t now_ms(board_ptr self) {
  auto& f = self->state.ctx.now_unix_ms;
  return f ? f() : now_unix_ms();
}

/// ok 0, degraded 1, down 2, unknown 3 (Prometheus wants a number).
double health_value(const std::string& health) {
  auto s = severity(health);
  return s < 0 ? 3 : s;
}

void announce(board_ptr self, const service_health& h, const std::string& previous) {
  metrics::registry::global().set("vigil_service_health", {{"service", h.service}},
                                  health_value(h.health));
  spdlog::info("status: {} is {} (was {}){}{}", h.service, h.health, previous,
               h.reason.empty() ? "" : ": ", h.reason);
  event e;
  e.topic = "service." + h.service;
  e.source = self->state.ctx.node_id + "/control/status";
  e.at_unix_ms = h.since_unix_ms;
  e.severity = h.health == "down" ? "error" : h.health == "ok" ? "info" : "warning";
  e.summary = h.service + " is " + h.health + (h.reason.empty() ? "" : ": " + h.reason);
  auto payload = to_json(h);
  payload["previous"] = previous;
  e.payload = payload.dump();
  auto& st = self->state;
  if (!bus::publish(self, *st.ctx.directory, st.ctx.node_id, e) && st.followed)
    self->send(st.followed, publish_atom::value, std::move(e));
}

/// Subscribes to the bus now in the directory unless it already follows it:
/// a restarted bus is a new actor that knows no subscribers.
void follow_bus(board_ptr self) {
  auto& st = self->state;
  auto bus = st.ctx.directory->get(st.ctx.node_id + "/control/bus");
  if (!bus || bus == st.followed)
    return;
  st.followed = bus;
  self->monitor(bus);
  for (auto topic : topics)
    self->request(caf::actor_cast<event_bus_actor>(bus), subscribe_timeout,
                  subscribe_atom::value, std::string{topic}, caf::actor_cast<caf::actor>(self))
      .then([](bool) { /* nop */ },
            [self, bus, topic](caf::error& err) {
              spdlog::warn("status: cannot subscribe to {}* on the bus: {}", topic,
                           self->home_system().render(err));
              if (self->state.followed == bus)
                self->state.followed = nullptr; // try again at the next check
            });
  spdlog::info("status: following the bus for probe.* and sli.*");
}

void take(board_ptr self, const event& e) {
  auto& st = self->state;
  auto now = now_ms(self);
  std::string previous;
  auto before = [&](const std::string& service) {
    for (auto& h : st.board->snapshot())
      if (h.service == service)
        return h.health;
    return std::string{"unknown"};
  };
  try {
    auto payload = json::parse(e.payload);
    std::optional<service_health> changed;
    if (e.topic.rfind("probe.", 0) == 0) {
      auto r = probe_result_from_json(payload);
      previous = before(r.target);
      changed = st.board->observe(r, now);
    } else if (e.topic.rfind("sli.", 0) == 0) {
      auto s = sli_snapshot_from_json(payload);
      previous = before(s.service);
      changed = st.board->observe(s, now);
    }
    if (changed)
      announce(self, *changed, previous);
  } catch (const std::exception& ex) {
    // Bad input from the network changes nothing; say so once in a while.
    if (st.bad_events++ % 100 == 0)
      spdlog::warn("status: ignored event {} on {}: {}", e.id, e.topic, ex.what());
  }
}

caf::behavior status_board(board_ptr self, status_board_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.board = std::make_unique<health_board>(st.ctx.settings);
  metrics::registry::global().describe("vigil_service_health", metrics::kind::gauge,
                                       "Service health: 0 ok, 1 degraded, 2 down, 3 unknown");
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source == self->state.followed)
      self->state.followed = nullptr;
  });
  self->send(self, check_atom::value);
  return {
    [self](check_atom) {
      follow_bus(self);
      auto& st = self->state;
      auto before = st.board->snapshot();
      for (auto& h : st.board->expire(now_ms(self))) {
        std::string previous = "unknown";
        for (auto& b : before)
          if (b.service == h.service)
            previous = b.health;
        announce(self, h, previous);
      }
      self->delayed_send(self, st.ctx.check_every, check_atom::value);
    },
    [self](publish_atom, const event& e) { take(self, e); },
    [self](status_atom) { return self->state.board->snapshot(); },
  };
}

} // namespace

status_board_actor spawn_status_board(caf::actor_system& sys, status_board_context ctx) {
  return caf::actor_cast<status_board_actor>(sys.spawn(status_board, std::move(ctx)));
}

supervision::child_spec status_board_child(status_board_context ctx) {
  supervision::child_spec spec;
  spec.id = "status";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_status_board(sup->home_system(), ctx));
  };
  return spec;
}

} // namespace vigil::status
