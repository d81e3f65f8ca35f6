// "HOST:PORT" command-line values, e.g. 127.0.0.1:6432 or [::1]:6432.
#pragma once

#include <cstdint>
#include <string>

namespace vigil::dbproxy {

struct host_port {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const;
};

/// Parses "HOST:PORT" (port 0 allowed); throws std::invalid_argument naming
/// `option` and saying what is wrong.
host_port parse_host_port(const std::string& text, const std::string& option);

} // namespace vigil::dbproxy
