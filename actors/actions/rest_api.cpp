#include "actors/actions/rest_api.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/actions/client_limiter.hpp"
#include "config/node_config.hpp"
#include "http/bearer.hpp"
#include "http/json.hpp"
#include "http/server.hpp"
#include "messages/actions_json.hpp"
#include "messages/unix_time.hpp"

namespace vigil::actions {

namespace {

using json = nlohmann::json;

/// A little more than the plane's own wait for a tool.
constexpr auto plane_timeout = std::chrono::minutes(11);

std::string read_token(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read the action API token file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto text = buf.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (text.size() < 16)
    throw std::runtime_error("the action API token in " + path + " is shorter than 16 characters");
  return text;
}

http::response error_reply(int status, const std::string& code, const std::string& message) {
  return http::json_response({{"error", message}, {"code", code}}, status);
}

/// Parses POST /v1/actions: the action_request fields; "args" may be an
/// object (or the object as a string). Throws std::invalid_argument.
action_request parse_request(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded())
    throw std::invalid_argument("the body is not valid JSON");
  if (!j.is_object())
    throw std::invalid_argument("the body must be a JSON object");
  action_request req;
  for (auto& [key, value] : j.items()) {
    auto text = [&, &key = key, &value = value] {
      if (!value.is_string())
        throw std::invalid_argument("field '" + key + "': expected a string");
      return value.get<std::string>();
    };
    if (key == "tool")
      req.tool = text();
    else if (key == "args")
      req.args = value.is_object() ? value.dump() : text();
    else if (key == "idempotency_key")
      req.idempotency_key = text();
    else if (key == "incident")
      req.incident = text();
    else if (key == "approved_by")
      req.approved_by = text();
    else if (key == "requested_by")
      continue; // the server says who asks
    else
      throw std::invalid_argument("unknown field '" + key
                                  + "' (known: tool, args, idempotency_key, incident, "
                                    "approved_by)");
  }
  return req;
}

/// Asks the plane for one HTTP request from a short-lived actor, so no
/// Beast thread ever waits for a tool.
struct bridge {
  caf::actor_system& sys;
  action_context ctx;

  template <class Reply, class... Ts>
  void ask(http::responder respond, Ts... request) {
    auto plane = caf::actor_cast<action_plane_actor>(ctx.directory->get(ctx.path(actor_paths::action_plane)));
    if (!plane) {
      respond(error_reply(503, "unavailable", "the action plane is restarting; try again"));
      return;
    }
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(plane, plane_timeout, request...)
        .then(
          [=](Reply& reply) {
            respond(http::json_response(json(reply)));
            self->quit();
          },
          [=](caf::error& err) {
            auto code = err.category() == caf::atom("action")
                          ? to_string(static_cast<action_error>(err.code()))
                          : "unavailable";
            respond(error_reply(http_status_of(err), code, self->home_system().render(err)));
            self->quit();
          });
    });
  }
};

std::unique_ptr<http::server> make_server(caf::actor_system& sys, const action_context& ctx,
                                          const std::string& token) {
  auto& cfg = *ctx.config;
  auto ep = parse_endpoint(cfg.api_listen, "actions api.listen");
  http::server::options opts;
  opts.address = ep.host;
  opts.port = ep.port;
  opts.threads = 1;
  opts.max_body_bytes = 64 * 1024;
  auto server = std::make_unique<http::server>(opts);
  auto b = std::make_shared<bridge>(bridge{sys, ctx});
  auto limiter = std::make_shared<client_limiter>(cfg.api_rate_per_s, cfg.api_burst);
  // Every route: the token first (401), then the client's rate (429).
  auto guarded = [token, limiter](
                   std::function<void(const http::request&, const std::string&, http::responder)>
                     h) -> http::handler {
    return [token, limiter, h](const http::request& req, http::responder respond) {
      if (!http::bearer_matches(req.header("authorization"), token)) {
        respond(error_reply(401, "unauthorized", "missing or wrong bearer token"));
        return;
      }
      auto client = req.header("x-vigil-client");
      if (client.empty() || client.size() > 64)
        client = req.remote_address;
      if (!limiter->take(client, now_unix_ms())) {
        spdlog::warn("actions: API client {} is over its rate limit", client);
        auto res = error_reply(429, "rate_limited", "client " + client + " is over its rate limit");
        res.headers.emplace_back("Retry-After", "1");
        respond(std::move(res));
        return;
      }
      h(req, client, std::move(respond));
    };
  };
  server->route("GET", "/v1/tools",
                guarded([b](const http::request&, const std::string&, http::responder r) {
                  b->ask<std::vector<tool_info>>(r, tools_atom::value);
                }));
  server->route("POST", "/v1/actions",
                guarded([b](const http::request& req, const std::string& client,
                            http::responder r) {
                  action_request ar;
                  try {
                    ar = parse_request(req.body);
                  } catch (const std::exception& e) {
                    r(error_reply(400, "bad_request", e.what()));
                    return;
                  }
                  ar.requested_by = "api:" + client;
                  b->ask<action_result>(r, act_atom::value, ar);
                }));
  server->route("GET", "/v1/audit",
                guarded([b](const http::request& req, const std::string&, http::responder r) {
                  std::string incident;
                  uint32_t limit = 50;
                  if (auto i = req.query.find("incident"); i != req.query.end())
                    incident = i->second;
                  if (auto i = req.query.find("limit"); i != req.query.end()) {
                    auto& text = i->second;
                    if (text.empty() || text.size() > 4
                        || text.find_first_not_of("0123456789") != std::string::npos
                        || std::stoul(text) < 1 || std::stoul(text) > 1000) {
                      r(error_reply(400, "bad_request", "query 'limit': expected 1..1000"));
                      return;
                    }
                    limit = static_cast<uint32_t>(std::stoul(text));
                  }
                  b->ask<std::vector<audit_record>>(r, audit_atom::value, incident, limit);
                }));
  return server;
}

/// Holds the running server; the server stops when the actor is gone.
caf::behavior api(caf::event_based_actor* self, std::shared_ptr<http::server> server) {
  self->attach_functor([server] { server->stop(); });
  return {[](caf::unit_t) {}};
}

} // namespace

int http_status_of(const caf::error& err) {
  if (err.category() != caf::atom("action"))
    return 503; // the plane is unreachable or timed out
  switch (static_cast<action_error>(err.code())) {
    case action_error::unknown_tool: return 404;
    case action_error::bad_args: return 400;
    case action_error::not_allowed:
    case action_error::needs_approval: return 403;
    case action_error::busy: return 409;
    case action_error::rate_limited:
    case action_error::restart_intensity: return 429;
    case action_error::store_unavailable: return 503;
    case action_error::unauthorized: return 401;
    default: return 500;
  }
}

supervision::child_spec rest_api_child(action_context ctx) {
  supervision::child_spec spec;
  spec.id = "api";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(2));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    auto& sys = sup->home_system();
    auto token = read_token(ctx.config->api_token_file);
    std::shared_ptr<http::server> server = make_server(sys, ctx, token);
    auto port = server->start();
    spdlog::info("actions: REST API listening on {} (port {})", ctx.config->api_listen, port);
    return sys.spawn(api, server);
  };
  return spec;
}

} // namespace vigil::actions
