// The HTTP edge of shopd: runs route handlers on worker threads (they block
// on the database and the upstream; the server's I/O threads must not),
// turns exceptions into error responses, and records metrics and access lines.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http/server.hpp"
#include "stack/shopd/shop_services.hpp"

namespace boost::asio {
class thread_pool;
} // namespace boost::asio

namespace vigil::shop {

class http_edge {
public:
  /// A handler that may block; it returns the response or throws.
  using blocking_handler = std::function<http::response(const http::request&)>;

  http_edge(shop_services& services, size_t workers);
  ~http_edge(); ///< Waits for running handlers.
  http_edge(const http_edge&) = delete;
  http_edge& operator=(const http_edge&) = delete;

  struct route_options {
    /// Answer 401 unless the request carries the admin token.
    bool admin = false;
    /// Run on the I/O thread: only for cheap handlers that must answer even
    /// when every worker is stuck on the database (/healthz, /metrics).
    bool on_io_thread = false;
  };

  /// Routes `method` `path` on `server`. `label` names the route in metrics
  /// (a pattern like "/products/{sku}", never a raw path).
  void route(http::server& server, const std::string& method, const std::string& path,
             const std::string& label, blocking_handler handler, route_options options);

  /// Stops taking new work and waits for what runs.
  void stop();

private:
  http::response run(const std::string& label, const blocking_handler& handler,
                     const http::request& req);

  shop_services& services_;
  std::unique_ptr<boost::asio::thread_pool> workers_;
};

} // namespace vigil::shop
