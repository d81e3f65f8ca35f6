// A small HTTP/1.1 server on Boost.Beast. Beast stays inside server.cpp: users
// see plain request/response structs and route handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vigil::http {

struct request {
  std::string method;                        ///< "GET", "POST", ...
  std::string target;                        ///< Path and query as sent.
  std::string path;                          ///< Without the query.
  std::map<std::string, std::string> query;  ///< Decoded query parameters.
  std::map<std::string, std::string> headers; ///< Keys in lower case.
  std::string body;
  std::string remote_address;                ///< The peer's IP address.

  /// The header's value, or "" when absent (`name` in lower case).
  std::string header(const std::string& name) const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Sends the response; call exactly once, from any thread.
using responder = std::function<void(response)>;

/// Handles one request. It may answer later (e.g. when an actor replies).
using handler = std::function<void(const request&, responder)>;

class server {
public:
  struct options {
    std::string address = "127.0.0.1";
    uint16_t port = 0; ///< 0 picks a free port.
    size_t threads = 1;
    size_t max_body_bytes = 1 << 20;
    std::chrono::milliseconds read_timeout = std::chrono::seconds(10);
  };

  explicit server(options opts);
  ~server(); ///< Stops and joins the threads.
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Routes `method` on `path`. A path ending in '*' matches every path with
  /// that prefix. Unrouted paths get 404, routed paths with another method 405.
  void route(const std::string& method, const std::string& path, handler h);

  /// Binds, starts the threads and returns the bound port; throws
  /// std::runtime_error (with the address) when it cannot listen.
  uint16_t start();

  /// Stops accepting and closes connections; idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Plain responses for the common cases.
response text(int status, std::string body);
/// {"error": message} with `status`.
response error(int status, const std::string& message);

} // namespace vigil::http
