// Parsing and printing of HOST:PORT node addresses.
#include "vigilctl/endpoint.hpp"

#include <algorithm>
#include <cctype>

namespace vigilctl {

namespace {

std::optional<endpoint> fail(std::string* why, std::string text) {
  if (why != nullptr)
    *why = std::move(text);
  return std::nullopt;
}

} // namespace

std::optional<endpoint> parse_endpoint(const std::string& text,
                                       std::string* why) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return fail(why, "expected HOST:PORT, got '" + text + "'");
  auto host = text.substr(0, colon);
  auto port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string::npos)
    return fail(why, "an IPv6 host goes in brackets, as in [::1]:4200");
  if (host.empty())
    return fail(why, "missing host in '" + text + "'");
  auto is_digit = [](unsigned char c) { return std::isdigit(c) != 0; };
  // Five digits at most keeps stoul far from overflow.
  if (port_text.empty() || port_text.size() > 5
      || !std::all_of(port_text.begin(), port_text.end(), is_digit))
    return fail(why, "port must be a number from 1 to 65535, got '"
                       + port_text + "'");
  auto port = std::stoul(port_text);
  if (port < 1 || port > 65535)
    return fail(why, "port must be a number from 1 to 65535, got '"
                       + port_text + "'");
  return endpoint{std::move(host), static_cast<uint16_t>(port)};
}

std::string to_string(const endpoint& x) {
  auto port = std::to_string(x.port);
  if (x.host.find(':') != std::string::npos)
    return "[" + x.host + "]:" + port;
  return x.host + ":" + port;
}

} // namespace vigilctl
