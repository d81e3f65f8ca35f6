// HOST:PORT parsing for dbproxy's options.
#include "stack/dbproxy/host_port.hpp"

#include <stdexcept>

namespace vigil::dbproxy {

std::string host_port::to_string() const {
  auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

host_port parse_host_port(const std::string& text, const std::string& option) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(option + " '" + text + "': " + why + " (expected HOST:PORT)");
  };
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    fail("no port");
  host_port result;
  result.host = text.substr(0, colon);
  if (result.host.size() >= 2 && result.host.front() == '[' && result.host.back() == ']')
    result.host = result.host.substr(1, result.host.size() - 2);
  if (result.host.empty())
    fail("no host");
  auto port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    fail("port '" + port + "' is not a number");
  auto value = std::stoul(port);
  if (value > 65535)
    fail("port " + port + " is out of range");
  result.port = static_cast<uint16_t>(value);
  return result;
}

} // namespace vigil::dbproxy
