// pricingd's endpoints; see pricing_api.hpp.
#include "stack/pricingd/pricing_api.hpp"

#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "http/bearer.hpp"
#include "http/json.hpp"

namespace vigil::pricing {

using json = nlohmann::json;

namespace {

bool known_path(const std::string& path) {
  return path == "/healthz" || path == "/prices" || path.rfind("/prices/", 0) == 0
         || path == "/admin/mode";
}

} // namespace

pricing_api::pricing_api(std::string name, price_list prices,
                         std::optional<std::string> admin_token,
                         std::shared_ptr<spdlog::logger> log)
  : name_(std::move(name)),
    prices_(std::move(prices)),
    admin_token_(std::move(admin_token)),
    log_(std::move(log)) {
  work_.emplace(delays_.get_executor());
  delay_thread_ = std::thread([this] { delays_.run(); });
}

pricing_api::~pricing_api() {
  work_.reset();
  delays_.stop();
  delay_thread_.join();
}

void pricing_api::install(http::server& server) {
  server.route("GET", "/healthz", logged([this](const http::request&, http::responder respond) {
                 respond(http::json_response({{"status", "ok"}, {"name", name_}}));
               }));
  server.route("GET", "/prices", logged([this](const http::request& req, http::responder r) {
                 get_prices(req, std::move(r));
               }));
  server.route("GET", "/prices/*", logged([this](const http::request& req, http::responder r) {
                 get_price(req, std::move(r));
               }));
  if (admin_token_) {
    server.route("GET", "/admin/mode", logged([this](const http::request& req, http::responder r) {
                   get_mode(req, std::move(r));
                 }));
    server.route("POST", "/admin/mode", logged([this](const http::request& req, http::responder r) {
                   set_mode(req, std::move(r));
                 }));
  }
  // Unrouted requests are logged too, so the log shows every request.
  for (auto method : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    server.route(method, "/*", logged([this](const http::request& req, http::responder r) {
                   fallback(req, std::move(r));
                 }));
}

void pricing_api::get_prices(const http::request&, http::responder respond) {
  auto mode = current_mode();
  if (mode.current == pricing_mode::kind::error)
    return respond(http::error(503, name_ + " is in error mode (set by an operator)"));
  json prices = json::object();
  for (auto& [sku, cents] : prices_)
    prices[sku] = served_price(mode, cents);
  answer(mode, http::json_response({{"prices", prices}, {"source", name_}}), std::move(respond));
}

void pricing_api::get_price(const http::request& req, http::responder respond) {
  auto mode = current_mode();
  if (mode.current == pricing_mode::kind::error)
    return respond(http::error(503, name_ + " is in error mode (set by an operator)"));
  auto sku = req.path.substr(std::string{"/prices/"}.size());
  for (auto& [known, cents] : prices_)
    if (known == sku)
      return answer(mode,
                    http::json_response({{"sku", sku},
                                         {"price_cents", served_price(mode, cents)},
                                         {"source", name_}}),
                    std::move(respond));
  respond(http::error(404, "unknown sku '" + sku + "'"));
}

void pricing_api::get_mode(const http::request& req, http::responder respond) {
  if (auto refusal = refuse_unauthorized(req))
    return respond(*refusal);
  auto body = to_json(current_mode());
  body["source"] = name_;
  respond(http::json_response(body));
}

void pricing_api::set_mode(const http::request& req, http::responder respond) {
  if (auto refusal = refuse_unauthorized(req))
    return respond(*refusal);
  pricing_mode mode;
  try {
    mode = parse_mode(json::parse(req.body));
  } catch (const json::parse_error& e) {
    return respond(http::error(400, std::string{"body is not valid JSON: "} + e.what()));
  } catch (const mode_error& e) {
    return respond(http::error(400, e.what()));
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    mode_ = mode;
  }
  auto body = to_json(mode);
  log_->warn("mode set to {} by {}", body.dump(), req.remote_address);
  body["source"] = name_;
  respond(http::json_response(body));
}

void pricing_api::fallback(const http::request& req, http::responder respond) {
  if (known_path(req.path) && (req.path != "/admin/mode" || admin_token_))
    return respond(http::error(405, "method " + req.method + " not allowed on " + req.path));
  respond(http::error(404, "no route for " + req.path));
}

void pricing_api::answer(const pricing_mode& mode, http::response res, http::responder respond) {
  if (mode.current != pricing_mode::kind::slow || mode.delay_ms == 0)
    return respond(std::move(res));
  auto timer = std::make_shared<boost::asio::steady_timer>(
    delays_, std::chrono::milliseconds(mode.delay_ms));
  timer->async_wait([timer, res = std::move(res), respond = std::move(respond)](
                      const boost::system::error_code&) mutable { respond(std::move(res)); });
}

std::optional<http::response> pricing_api::refuse_unauthorized(const http::request& req) const {
  auto given = req.header("authorization");
  std::optional<http::response> refusal;
  if (given.empty())
    refusal = http::error(401, "admin endpoints need the header 'Authorization: Bearer TOKEN'");
  else if (!http::bearer_matches(given, *admin_token_))
    refusal = http::error(401, "wrong admin token");
  if (refusal)
    refusal->headers.emplace_back("WWW-Authenticate", "Bearer");
  return refusal;
}

http::handler pricing_api::logged(http::handler h) {
  return [this, h = std::move(h)](const http::request& req, http::responder respond) {
    auto start = std::chrono::steady_clock::now();
    auto log_and_send = [this, start, method = req.method, path = req.path,
                         respond = std::move(respond)](http::response res) {
      auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now()
                                                               - start);
      log_->info("{} {} {} {:.1f} ms", method, path, res.status, elapsed.count());
      respond(std::move(res));
    };
    try {
      h(req, log_and_send);
    } catch (const std::exception& e) {
      log_and_send(http::error(500, e.what()));
    }
  };
}

pricing_mode pricing_api::current_mode() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return mode_;
}

} // namespace vigil::pricing
