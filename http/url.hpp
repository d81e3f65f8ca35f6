// Splitting request targets and client URLs, shared by the server and client
// so both decode queries the same way.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace vigil::http {

/// "%41+b" → "A b"; a malformed escape is kept as written.
std::string percent_decode(const std::string& text, bool plus_is_space);

/// Splits "PATH?QUERY" into the path and the decoded query parameters. A
/// parameter without '=' maps to "".
void split_target(const std::string& target, std::string& path,
                  std::map<std::string, std::string>& query);

struct url_parts {
  std::string host;
  uint16_t port = 80;
  std::string target = "/"; ///< Path and query, as sent on the request line.
};

/// Parses "http://HOST[:PORT][/PATH][?QUERY]"; throws std::invalid_argument
/// saying what is wrong.
url_parts parse_url(const std::string& url);

} // namespace vigil::http
