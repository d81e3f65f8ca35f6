#include "stack/shopd/admin_api.hpp"

#include <nlohmann/json.hpp>

#include "http/json.hpp"
#include "stack/shopd/api_error.hpp"

namespace vigil::shop {

namespace {

using json = nlohmann::json;

// Largest leak rate: enough to hit any sane memory limit within seconds.
constexpr int64_t max_leak_mb_per_second = 4096;

json parse_object(const std::string& body, const std::string& expected) {
  try {
    auto j = json::parse(body);
    if (j.is_object())
      return j;
  } catch (const json::parse_error&) {
    // Answered below, like any other non-object.
  }
  throw api_error(400, "body: expected a JSON object " + expected);
}

} // namespace

void install_admin_api(http::server& server, http_edge& edge, shop_services& services) {
  http_edge::route_options admin;
  admin.admin = true;

  edge.route(server, "POST", "/admin/cache/clear", "/admin/cache/clear",
             [&services](const http::request&) {
               auto entries = services.cache.size();
               services.cache.clear();
               services.log.info("admin", "price cache cleared (" + std::to_string(entries)
                                            + " entries)");
               return http::json_response(json{{"cleared", entries}});
             },
             admin);

  edge.route(server, "POST", "/admin/upstream", "/admin/upstream",
             [&services](const http::request& req) {
               auto j = parse_object(req.body, "{\"use\": \"primary\"|\"fallback\"}");
               auto use = j.find("use");
               if (use == j.end() || !use->is_string())
                 throw api_error(400, "field 'use': expected \"primary\" or \"fallback\"");
               try {
                 services.upstream.use(use->get<std::string>());
               } catch (const std::invalid_argument& e) {
                 throw api_error(400, e.what());
               }
               services.log.info("admin", "upstream switched to " + services.upstream.in_use()
                                            + " (" + services.upstream.url() + ")");
               return http::json_response(
                 json{{"use", services.upstream.in_use()}, {"url", services.upstream.url()}});
             },
             admin);

  edge.route(server, "POST", "/admin/reload", "/admin/reload",
             [&services](const http::request&) {
               try {
                 auto restart_needed = services.reload();
                 services.log.info("admin", "config reloaded");
                 return http::json_response(json{{"reloaded", true},
                                                 {"restart_needed", restart_needed},
                                                 {"upstream_use", services.upstream.in_use()}});
               } catch (const std::exception& e) {
                 services.log.error("reload", std::string{"refused, old config kept: "}
                                                + e.what());
                 throw api_error(400, std::string{"reload refused, old config kept: "}
                                        + e.what());
               }
             },
             admin);

  edge.route(server, "POST", "/admin/leak", "/admin/leak",
             [&services](const http::request& req) {
               auto j = parse_object(req.body, "{\"mb_per_second\": N}");
               auto rate = j.find("mb_per_second");
               if (rate == j.end() || !rate->is_number_integer() || rate->get<int64_t>() < 0
                   || rate->get<int64_t>() > max_leak_mb_per_second)
                 throw api_error(400, "field 'mb_per_second': expected an integer in 0.."
                                        + std::to_string(max_leak_mb_per_second));
               auto mb = static_cast<uint32_t>(rate->get<int64_t>());
               services.leak.set_rate(mb);
               services.log.info("drill", "leaking " + std::to_string(mb)
                                             + " MiB per second on request (OOM drill)");
               return http::json_response(json{{"mb_per_second", mb}}, 202);
             },
             admin);

  edge.route(server, "GET", "/admin/status", "/admin/status",
             [&services](const http::request&) {
               return http::json_response(services.status());
             },
             admin);
}

} // namespace vigil::shop
