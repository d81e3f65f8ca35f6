// pricingd's HTTP endpoints: prices from the catalog shaped by the current
// mode, and the admin endpoints that switch the mode.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>

#include "http/server.hpp"
#include "stack/pricingd/price_catalog.hpp"
#include "stack/pricingd/pricing_mode.hpp"

namespace vigil::pricing {

class pricing_api {
public:
  /// Without `admin_token` the admin endpoints do not exist (404).
  pricing_api(std::string name, price_list prices, std::optional<std::string> admin_token,
              std::shared_ptr<spdlog::logger> log);
  ~pricing_api(); ///< Drops answers still held back by slow mode.
  pricing_api(const pricing_api&) = delete;
  pricing_api& operator=(const pricing_api&) = delete;

  /// Adds every route to `server`, which must not outlive this object.
  void install(http::server& server);

private:
  void get_prices(const http::request& req, http::responder respond);
  void get_price(const http::request& req, http::responder respond);
  void set_mode(const http::request& req, http::responder respond);
  void get_mode(const http::request& req, http::responder respond);
  void fallback(const http::request& req, http::responder respond);

  /// Answers now, or after the delay of slow mode (never blocking an I/O thread).
  void answer(const pricing_mode& mode, http::response res, http::responder respond);
  /// A 401 unless the request carries the admin bearer token.
  std::optional<http::response> refuse_unauthorized(const http::request& req) const;
  /// Wraps `h` so that each request is logged with its status and duration.
  http::handler logged(http::handler h);
  pricing_mode current_mode() const;

  std::string name_;
  price_list prices_;
  std::optional<std::string> admin_token_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  pricing_mode mode_; // guarded by mutex_
  // Slow mode holds answers on timers here rather than on the server threads.
  boost::asio::io_context delays_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread delay_thread_;
};

} // namespace vigil::pricing
