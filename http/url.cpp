// Request target and URL parsing for the HTTP server and client.
#include "http/url.hpp"

#include <stdexcept>

namespace vigil::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::string percent_decode(const std::string& text, bool plus_is_space) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        result.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    result.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return result;
}

void split_target(const std::string& target, std::string& path,
                  std::map<std::string, std::string>& query) {
  auto question = target.find('?');
  path = target.substr(0, question);
  query.clear();
  if (question == std::string::npos)
    return;
  auto rest = target.substr(question + 1);
  auto fragment = rest.find('#');
  if (fragment != std::string::npos)
    rest.resize(fragment);
  size_t start = 0;
  while (start <= rest.size()) {
    auto end = rest.find('&', start);
    if (end == std::string::npos)
      end = rest.size();
    auto pair = rest.substr(start, end - start);
    if (!pair.empty()) {
      auto equals = pair.find('=');
      auto key = percent_decode(pair.substr(0, equals), true);
      auto value = equals == std::string::npos ? std::string{}
                                               : percent_decode(pair.substr(equals + 1), true);
      query[key] = value;
    }
    start = end + 1;
  }
}

url_parts parse_url(const std::string& url) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("bad URL '" + url + "': " + why);
  };
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    fail("it must start with http://");
  auto authority_end = url.find_first_of("/?", scheme.size());
  auto authority = url.substr(scheme.size(), authority_end == std::string::npos
                                               ? std::string::npos
                                               : authority_end - scheme.size());
  url_parts parts;
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    // An IPv6 literal: [::1]:8080.
    auto close = authority.find(']');
    if (close == std::string::npos)
      fail("unterminated '[' in the host");
    parts.host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        fail("expected ':' after ']'");
      port_text = after.substr(1);
      if (port_text.empty())
        fail("empty port");
    }
  } else {
    auto colon = authority.rfind(':');
    parts.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty())
        fail("empty port");
    }
  }
  if (parts.host.empty())
    fail("no host");
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
      fail("port '" + port_text + "' is not a number");
    auto port = std::stoul(port_text);
    if (port == 0 || port > 65535)
      fail("port " + port_text + " is out of range");
    parts.port = static_cast<uint16_t>(port);
  }
  if (authority_end != std::string::npos) {
    parts.target = url.substr(authority_end);
    if (parts.target.front() == '?')
      parts.target.insert(0, "/");
  }
  if (parts.target.find_first_of(" \r\n") != std::string::npos)
    fail("the path contains whitespace");
  return parts;
}

} // namespace vigil::http
