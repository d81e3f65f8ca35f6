#include "tests/support/netns.hpp"

#include <unistd.h>

#include "tests/support/process.hpp"

namespace vigil::test {

test_network::test_network(size_t hosts) : hosts_(hosts) {
  for (auto candidate : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(candidate, X_OK) == 0) {
      ip_binary_ = candidate;
      break;
    }
  if (ip_binary_.empty()) {
    problem_ = "iproute2's ip is not installed";
    return;
  }
  if (::geteuid() != 0) {
    problem_ = "network namespaces need root";
    return;
  }
  tag_ = "vg" + std::to_string(::getpid() % 100000);
  auto sw = tag_ + "-sw";
  // The bridge lives in its own namespace, so the machine's network is untouched.
  if (!ip({"netns", "add", sw}) || !ip({"-n", sw, "link", "add", "br0", "type", "bridge"})
      || !ip({"-n", sw, "link", "set", "br0", "up"})) {
    problem_ = "cannot create network namespaces here";
    return;
  }
  for (size_t i = 0; i < hosts; ++i) {
    auto ns = ns_name(i);
    auto outside = tag_ + "p" + std::to_string(i);
    auto addr = "10.213.0." + std::to_string(i + 1);
    bool good = ip({"netns", "add", ns})
                && ip({"link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name",
                       outside, "netns", sw})
                && ip({"-n", ns, "addr", "add", addr + "/24", "dev", "eth0"})
                && ip({"-n", ns, "link", "set", "eth0", "up"})
                && ip({"-n", ns, "link", "set", "lo", "up"})
                && ip({"-n", sw, "link", "set", outside, "master", "br0"})
                && ip({"-n", sw, "link", "set", outside, "up"});
    if (!good) {
      problem_ = "cannot wire namespace " + ns;
      return;
    }
    addresses_.push_back(addr);
  }
  ok_ = true;
}

test_network::~test_network() {
  if (tag_.empty())
    return;
  for (size_t i = 0; i < hosts_; ++i)
    ip({"netns", "del", ns_name(i)});
  ip({"netns", "del", tag_ + "-sw"});
}

std::vector<std::string> test_network::on_host(size_t host) const {
  return {ip_binary_, "netns", "exec", ns_name(host)};
}

bool test_network::ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ip_binary_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, std::chrono::seconds(10)).exit_code == 0;
}

std::string test_network::ns_name(size_t host) const {
  return tag_ + "-h" + std::to_string(host);
}

} // namespace vigil::test
