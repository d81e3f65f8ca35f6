#include "stack/shopd/http_edge.hpp"

#include <cerrno>
#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "stack/shopd/api_error.hpp"
#include "stack/shopd/db_error.hpp"
#include "stack/shopd/receipt_store.hpp"
#include "stack/shopd/upstream_client.hpp"

namespace vigil::shop {

http_edge::http_edge(shop_services& services, size_t workers)
  : services_(services), workers_(std::make_unique<boost::asio::thread_pool>(workers)) {
  // nop
}

http_edge::~http_edge() {
  stop();
}

void http_edge::stop() {
  workers_->stop();
  workers_->join();
}

void http_edge::route(http::server& server, const std::string& method, const std::string& path,
                      const std::string& label, blocking_handler handler,
                      route_options options) {
  auto shared = std::make_shared<blocking_handler>(std::move(handler));
  server.route(method, path, [this, label, shared, options](const http::request& req,
                                                            http::responder respond) {
    auto started = std::chrono::steady_clock::now();
    auto finish = [this, label, started, method = req.method, path = req.path,
                   respond](http::response res) {
      auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
      services_.stats.record_request(label, res.status, elapsed.count());
      services_.log.access(method, path, res.status, elapsed.count() * 1000);
      respond(std::move(res));
    };
    if (options.admin && !services_.authorized(req.header("authorization"))) {
      auto res = http::error(401, "missing or wrong admin token (Authorization: Bearer ...)");
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      finish(std::move(res));
      return;
    }
    if (options.on_io_thread) {
      finish(run(label, *shared, req));
      return;
    }
    boost::asio::post(*workers_, [this, label, shared, req, finish] {
      finish(run(label, *shared, req));
    });
  });
}

http::response http_edge::run(const std::string& label, const blocking_handler& handler,
                              const http::request& req) {
  try {
    return handler(req);
  } catch (const api_error& e) {
    return http::error(e.status(), e.what());
  } catch (const db_error& e) {
    services_.log.error("db", req.method + " " + label + ": " + e.what());
    return http::error(e.status(), e.what());
  } catch (const receipt_error& e) {
    services_.log.error("receipts", req.method + " " + label + ": " + e.detail()
                                      + " (order rolled back)");
    auto full = e.error_number() == ENOSPC || e.error_number() == EDQUOT;
    return http::error(full ? 507 : 500, e.what());
  } catch (const upstream_error& e) {
    services_.log.error("upstream", req.method + " " + label + ": " + e.what());
    return http::error(502, std::string{"pricing upstream unavailable: "} + e.what());
  } catch (const std::exception& e) {
    services_.log.error("internal", req.method + " " + label + ": " + e.what());
    return http::error(500, std::string{"internal error: "} + e.what());
  }
}

} // namespace vigil::shop
