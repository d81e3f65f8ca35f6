// The control API's handlers; see control_api.hpp.
#include "stack/dbproxy/control_api.hpp"

#include "http/json.hpp"

namespace vigil::dbproxy {

namespace {

http::response toxics_response(proxy_context& context) {
  auto body = to_json(context.latency());
  body["connections"] = context.open_connections();
  return http::json_response(body);
}

} // namespace

void install_control_api(http::server& server, std::shared_ptr<proxy_context> context) {
  server.route("GET", "/healthz", [context](const http::request&, http::responder respond) {
    respond(http::json_response({{"status", "ok"}, {"upstream", context->upstream().to_string()}}));
  });
  server.route("GET", "/toxics", [context](const http::request&, http::responder respond) {
    respond(toxics_response(*context));
  });
  server.route("POST", "/toxics", [context](const http::request& req, http::responder respond) {
    latency_toxic toxic;
    try {
      toxic = parse_latency_toxic(nlohmann::json::parse(req.body));
    } catch (const nlohmann::json::parse_error& e) {
      return respond(http::error(400, std::string{"body is not valid JSON: "} + e.what()));
    } catch (const toxic_error& e) {
      return respond(http::error(400, e.what()));
    }
    context->set_latency(toxic);
    context->log().warn("latency toxic set to delay_ms={} jitter_ms={} by {}", toxic.delay_ms,
                        toxic.jitter_ms, req.remote_address);
    respond(toxics_response(*context));
  });
  server.route("DELETE", "/toxics", [context](const http::request& req, http::responder respond) {
    context->set_latency({});
    context->log().warn("latency toxic cleared by {}", req.remote_address);
    respond(toxics_response(*context));
  });
}

} // namespace vigil::dbproxy
