#include "stack/shopd/public_api.hpp"

#include <nlohmann/json.hpp>

#include "http/json.hpp"
#include "stack/shopd/api_error.hpp"
#include "stack/shopd/readiness.hpp"
#include "stack/shopd/static_files.hpp"

namespace vigil::shop {

namespace {

using json = nlohmann::json;

constexpr size_t order_list_limit = 100;

json to_json(const priced_product& p) {
  return json{{"sku", p.item.sku},
              {"name", p.item.name},
              {"price_cents", p.current.cents},
              {"price_source", p.current.source},
              {"list_price_cents", p.item.price_cents}};
}

json to_json(const order& o) {
  return json{{"id", o.id},
              {"sku", o.sku},
              {"quantity", o.quantity},
              {"unit_price_cents", o.unit_price_cents},
              {"total_cents", o.total_cents},
              {"created_at", o.created_at}};
}

} // namespace

void install_public_api(http::server& server, http_edge& edge, shop_services& services) {
  http_edge::route_options worker;
  http_edge::route_options io_thread;
  io_thread.on_io_thread = true;

  edge.route(server, "GET", "/healthz", "/healthz",
             [](const http::request&) {
               return http::json_response(json{{"status", "alive"}});
             },
             io_thread);

  edge.route(server, "GET", "/readyz", "/readyz",
             [&services](const http::request&) {
               auto report = check_readiness(services.pool, services.upstream,
                                             services.receipts.dir());
               return http::json_response(report.body, report.ready ? 200 : 503);
             },
             worker);

  edge.route(server, "GET", "/metrics", "/metrics",
             [&services](const http::request&) {
               metrics::snapshot_inputs inputs;
               inputs.pool = services.pool.snapshot();
               inputs.cache_hits = services.cache.hits();
               inputs.cache_misses = services.cache.misses();
               http::response res;
               res.content_type = "text/plain; version=0.0.4; charset=utf-8";
               res.body = services.stats.render(inputs);
               return res;
             },
             io_thread);

  edge.route(server, "GET", "/products", "/products",
             [&services](const http::request&) {
               json items = json::array();
               for (auto& p : services.products.list())
                 items.push_back(to_json(p));
               return http::json_response(json{{"products", items}});
             },
             worker);

  edge.route(server, "GET", "/products/*", "/products/{sku}",
             [&services](const http::request& req) {
               auto sku = req.path.substr(std::string{"/products/"}.size());
               if (!valid_sku(sku))
                 throw api_error(400, "sku: expected 1-64 letters, digits, '.', '_' or '-'");
               auto found = services.products.find(sku);
               if (!found)
                 throw api_error(404, "no product '" + sku + "'");
               return http::json_response(to_json(*found));
             },
             worker);

  edge.route(server, "POST", "/orders", "/orders",
             [&services](const http::request& req) {
               auto placed = services.orders.place(order_service::parse_request(req.body));
               return http::json_response(to_json(placed), 201);
             },
             worker);

  edge.route(server, "GET", "/orders", "/orders",
             [&services](const http::request&) {
               json items = json::array();
               for (auto& o : services.orders.latest(order_list_limit))
                 items.push_back(to_json(o));
               return http::json_response(json{{"orders", items}});
             },
             worker);

  edge.route(server, "GET", "/", "/",
             [&services](const http::request&) {
               return serve_static(services.config().web_dir, "index.html");
             },
             worker);

  edge.route(server, "GET", "/web/*", "/web/{file}",
             [&services](const http::request& req) {
               return serve_static(services.config().web_dir,
                                   req.path.substr(std::string{"/web/"}.size()));
             },
             worker);
}

} // namespace vigil::shop
