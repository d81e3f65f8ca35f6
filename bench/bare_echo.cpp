// The baseline peer: a bare CAF echo in its own process, nothing of Vigil's
// but the wire types. Prints its port, runs until killed.
#include <iostream>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

namespace {

struct echo_config : caf::actor_system_config {
  echo_config() { load<caf::io::middleman>(); }
};

caf::behavior echo() {
  return {[](int32_t x) { return x; }};
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
  sys.await_all_actors_done();
}
