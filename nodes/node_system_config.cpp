#include "nodes/node_system_config.hpp"

#include <chrono>

#include <caf/io/middleman.hpp>

#include "messages/announce.hpp"

namespace vigil {

node_system_config::node_system_config(const node_config& cfg) {
  load<caf::io::middleman>();
  announce_messages(*this);
  // CAF's heartbeats are off by default; without them a hung peer is only
  // noticed when TCP gives up. The connection timeout turns silence into
  // remote_link_unreachable down messages.
  using std::chrono::milliseconds;
  set("middleman.heartbeat-interval", caf::timespan{milliseconds{cfg.heartbeat_ms}});
  set("middleman.connection-timeout", caf::timespan{milliseconds{cfg.down_after_ms}});
  // An idle work-stealing worker polls for work (100 spins, then 500 sleeps
  // of 50 us) before it waits to be woken by the next message for it. With
  // messages every few milliseconds workers never got to wait: three nodes
  // on two cores made 80,000 context switches a second, half the machine,
  // and the demo's own host probe saw the CPU saturated. After about a
  // millisecond of polling a worker now waits (a message still wakes it).
  set("work-stealing.moderate-poll-attempts", size_t{20});
}

} // namespace vigil
