// A small blocking HTTP/1.1 client on Boost.Beast (kept inside client.cpp),
// for probes, readiness checks, upstream calls and tests.
#pragma once

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

namespace vigil::http {

/// Connection refused, timeout, bad URL...: the message says which.
class client_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct client_response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers; ///< Keys in lower case.
};

/// Sends one request to `url` ("http://HOST:PORT/PATH?QUERY") and waits at
/// most `timeout` for the whole exchange. Throws client_error.
client_response fetch(const std::string& method, const std::string& url,
                      const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace vigil::http
