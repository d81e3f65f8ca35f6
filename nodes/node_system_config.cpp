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
}

} // namespace vigil
