// Where vigilctl connects: a node's admin port given as HOST:PORT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vigilctl {

struct endpoint {
  std::string host;
  uint16_t port = 0;
};

/// Parses "HOST:PORT" (an IPv6 host goes in brackets: "[::1]:4200"). On
/// failure returns nothing and, if `why` is set, says what is wrong.
std::optional<endpoint> parse_endpoint(const std::string& text,
                                       std::string* why = nullptr);

/// "HOST:PORT", with brackets back around an IPv6 host.
std::string to_string(const endpoint& x);

} // namespace vigilctl
