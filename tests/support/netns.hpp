// Test support: several "hosts" on one machine, each a network namespace with
// its own address on a shared bridge (needs root and iproute2).
#pragma once

#include <string>
#include <vector>

namespace vigil::test {

class test_network {
public:
  /// Creates `hosts` namespaces; check `ok()` (false without root or netns).
  explicit test_network(size_t hosts);
  ~test_network();

  bool ok() const { return ok_; }
  /// Why the namespaces could not be made.
  const std::string& problem() const { return problem_; }
  const std::string& address(size_t host) const { return addresses_[host]; }
  /// argv prefix that runs a command on `host`.
  std::vector<std::string> on_host(size_t host) const;

private:
  bool ip(const std::vector<std::string>& args);
  std::string ns_name(size_t host) const;

  std::string ip_binary_;
  std::string tag_;
  size_t hosts_;
  bool ok_ = false;
  std::string problem_;
  std::vector<std::string> addresses_;
};

} // namespace vigil::test
