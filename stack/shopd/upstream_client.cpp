#include "stack/shopd/upstream_client.hpp"

#include <nlohmann/json.hpp>

#include "http/client.hpp"

namespace vigil::shop {

namespace {

using json = nlohmann::json;

price read_price(const json& cents, const std::string& source, const std::string& where) {
  if (!cents.is_number_integer() || cents.get<int64_t>() < 0)
    throw upstream_error(where + ": price_cents is not a non-negative integer: " + cents.dump());
  return price{cents.get<int64_t>(), source};
}

std::string read_source(const json& body) {
  auto i = body.find("source");
  return i != body.end() && i->is_string() ? i->get<std::string>() : "unknown";
}

} // namespace

upstream_client::upstream_client(upstream_config config)
  : config_(std::move(config)), use_(config_.use) {
  // nop
}

std::string upstream_client::get(const std::string& path) {
  std::string base;
  std::chrono::milliseconds timeout;
  std::string which;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    which = use_;
    base = use_ == "fallback" ? config_.fallback : config_.primary;
    timeout = std::chrono::milliseconds{config_.timeout_ms};
  }
  auto where = "upstream " + which + " " + base + path;
  http::client_response response;
  try {
    response = http::fetch("GET", base + path, "", {}, timeout);
  } catch (const http::client_error& e) {
    throw upstream_error(where + ": " + e.what());
  }
  if (response.status != 200) {
    auto detail = response.body.substr(0, 200);
    throw upstream_error(where + ": HTTP " + std::to_string(response.status)
                         + (detail.empty() ? "" : " " + detail));
  }
  return response.body;
}

price upstream_client::fetch_price(const std::string& sku) {
  auto path = "/prices/" + sku;
  auto body = get(path);
  try {
    auto j = json::parse(body);
    return read_price(j.at("price_cents"), read_source(j), "upstream " + path);
  } catch (const json::exception& e) {
    throw upstream_error("upstream " + path + ": unexpected answer: " + e.what());
  }
}

std::map<std::string, price> upstream_client::fetch_all() {
  auto body = get("/prices");
  try {
    auto j = json::parse(body);
    auto source = read_source(j);
    std::map<std::string, price> result;
    for (auto& [sku, cents] : j.at("prices").items())
      result.emplace(sku, read_price(cents, source, "upstream /prices"));
    return result;
  } catch (const json::exception& e) {
    throw upstream_error(std::string{"upstream /prices: unexpected answer: "} + e.what());
  }
}

void upstream_client::use(const std::string& which) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (which != "primary" && which != "fallback")
    throw std::invalid_argument("field 'use': expected \"primary\" or \"fallback\", got \""
                                + which + "\"");
  if (which == "fallback" && config_.fallback.empty())
    throw std::invalid_argument("field 'use': no fallback upstream configured");
  use_ = which;
}

void upstream_client::configure(const upstream_config& config) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (config.use != config_.use || (use_ == "fallback" && config.fallback.empty()))
    use_ = config.use;
  config_ = config;
}

std::string upstream_client::in_use() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return use_;
}

std::string upstream_client::url() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return use_ == "fallback" ? config_.fallback : config_.primary;
}

upstream_config upstream_client::settings() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return config_;
}

} // namespace vigil::shop
