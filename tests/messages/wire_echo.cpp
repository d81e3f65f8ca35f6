// A second real node process for the wire test: publishes an actor that
// sends every message it gets straight back, and prints its port.
#include <iostream>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "messages/announce.hpp"

namespace {

struct echo_config : caf::actor_system_config {
  echo_config() {
    load<caf::io::middleman>();
    vigil::announce_messages(*this);
  }
};

caf::behavior echo(caf::event_based_actor* self) {
  self->set_default_handler(caf::reflect);
  return {[](caf::unit_t) {}};
}

} // namespace

int main() {
  echo_config cfg;
  caf::actor_system sys{cfg};
  auto port = sys.middleman().publish(sys.spawn(echo), 0, "127.0.0.1");
  if (!port) {
    std::cerr << "cannot publish: " << sys.render(port.error()) << std::endl;
    return 1;
  }
  std::cout << "port " << *port << std::endl;
  // Runs until the test kills it.
  sys.await_all_actors_done();
}
