#include "chaos/http_api.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "chaos/fault_context.hpp"
#include "config/node_config.hpp"
#include "http/bearer.hpp"
#include "http/server.hpp"
#include "messages/chaos_json.hpp"

namespace vigil::chaos {

namespace {

using json = nlohmann::json;

constexpr auto controller_timeout = std::chrono::seconds(150);

http::response json_reply(int status, const json& body) {
  http::response r;
  r.status = status;
  r.body = body.dump(2) + "\n";
  return r;
}

int status_of(const caf::error& err) {
  if (err.category() != caf::atom("chaos"))
    return 503; // the controller is unreachable or timed out
  switch (static_cast<chaos_error>(err.code())) {
    case chaos_error::unknown_fault:
    case chaos_error::unknown_injection: return 404;
    case chaos_error::bad_params: return 400;
    case chaos_error::not_sandbox:
    case chaos_error::needs_approval: return 403;
    case chaos_error::too_many_active:
    case chaos_error::already_active: return 409;
    default: return 500;
  }
}

/// Bridges one HTTP request to the controller: a short-lived actor asks it
/// and answers the HTTP responder (never blocking a Beast thread).
struct bridge {
  caf::actor_system& sys;
  std::shared_ptr<supervision::name_directory> directory;
  std::string controller_path;

  template <class Reply, class Convert, class... Ts>
  void ask(http::responder respond, int ok_status, Convert convert, Ts... request) {
    auto controller = caf::actor_cast<chaos_actor>(directory->get(controller_path));
    if (!controller) {
      respond(http::error(503, "the chaos controller is restarting; try again"));
      return;
    }
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(controller, controller_timeout, request...)
        .then(
          [=](Reply& reply) {
            respond(json_reply(ok_status, convert(reply)));
            self->quit();
          },
          [=](caf::error& err) {
            respond(http::error(status_of(err), self->home_system().render(err)));
            self->quit();
          });
    });
  }
};

template <class T>
json list_json(const std::vector<T>& xs) {
  auto result = json::array();
  for (auto& x : xs)
    result.push_back(to_json(x));
  return result;
}

/// Parses the body of POST /break/{fault}: {"params": {...}, "duration_s": N,
/// "approve": true}. Throws std::invalid_argument.
injection_request parse_break(const std::string& fault, const std::string& body) {
  injection_request req;
  req.fault = fault;
  req.requested_by = "http";
  if (body.empty())
    return req;
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded())
    throw std::invalid_argument("the body is not valid JSON");
  if (!j.is_object())
    throw std::invalid_argument("the body must be a JSON object");
  for (auto& [key, value] : j.items()) {
    if (key == "params") {
      if (!value.is_object())
        throw std::invalid_argument("field 'params': expected an object");
      req.params_json = value.dump();
    } else if (key == "duration_s") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() < 1 || value.get<uint64_t>() > 86400)
        throw std::invalid_argument("field 'duration_s': expected a whole number in 1..86400");
      req.duration_s = value.get<uint32_t>();
    } else if (key == "approve") {
      if (!value.is_boolean())
        throw std::invalid_argument("field 'approve': expected true or false");
      req.approved = value.get<bool>();
    } else {
      throw std::invalid_argument("unknown field '" + key + "' (known: params, duration_s, approve)");
    }
  }
  return req;
}

std::unique_ptr<http::server> make_server(caf::actor_system& sys, const std::string& listen,
                                          const std::string& token,
                                          std::shared_ptr<supervision::name_directory> directory,
                                          const std::string& controller_path) {
  auto ep = parse_endpoint(listen, "chaos api.listen");
  http::server::options opts;
  opts.address = ep.host;
  opts.port = ep.port;
  opts.threads = 1;
  auto server = std::make_unique<http::server>(opts);
  auto b = std::make_shared<bridge>(bridge{sys, directory, controller_path});
  // Every route checks the bearer token first.
  auto authed = [token](http::handler h) -> http::handler {
    return [token, h](const http::request& req, http::responder respond) {
      if (!http::bearer_matches(req.header("authorization"), token)) {
        respond(http::error(401, "missing or wrong bearer token"));
        return;
      }
      h(req, std::move(respond));
    };
  };
  server->route("GET", "/chaos/faults", authed([b](const http::request&, http::responder r) {
    b->ask<std::vector<fault_kind>>(r, 200, list_json<fault_kind>, faults_atom::value);
  }));
  server->route("GET", "/chaos/active", authed([b](const http::request&, http::responder r) {
    b->ask<std::vector<active_fault>>(r, 200, list_json<active_fault>, active_atom::value);
  }));
  server->route("DELETE", "/chaos/active/*", authed([b](const http::request& req, http::responder r) {
    auto id = req.path.substr(std::string{"/chaos/active/"}.size());
    b->ask<chaos_event>(r, 200, [](const chaos_event& e) { return to_json(e); },
                        revert_atom::value, id);
  }));
  server->route("GET", "/chaos/log", authed([b](const http::request& req, http::responder r) {
    uint64_t after = 0;
    if (auto i = req.query.find("after"); i != req.query.end()) {
      try {
        after = std::stoull(i->second);
      } catch (const std::exception&) {
        r(http::error(400, "query 'after': expected a whole number"));
        return;
      }
    }
    b->ask<std::vector<chaos_event>>(r, 200, list_json<chaos_event>, chaos_log_atom::value, after);
  }));
  server->route("GET", "/chaos/schedule", authed([b](const http::request&, http::responder r) {
    b->ask<chaos_schedule>(r, 200, [](const chaos_schedule& s) { return to_json(s); },
                           schedule_atom::value);
  }));
  server->route("POST", "/chaos/schedule", authed([b](const http::request& req, http::responder r) {
    chaos_schedule s;
    try {
      auto j = json::parse(req.body, nullptr, false);
      if (j.is_discarded())
        throw std::invalid_argument("the body is not valid JSON");
      s = schedule_from_json(j, chaos_schedule{});
    } catch (const std::exception& e) {
      r(http::error(400, e.what()));
      return;
    }
    b->ask<chaos_schedule>(r, 200, [](const chaos_schedule& s) { return to_json(s); },
                           schedule_atom::value, s);
  }));
  server->route("POST", "/break/*", authed([b](const http::request& req, http::responder r) {
    auto fault = req.path.substr(std::string{"/break/"}.size());
    if (fault == "stop") {
      b->ask<std::vector<chaos_event>>(r, 200, list_json<chaos_event>, killswitch_atom::value);
      return;
    }
    injection_request ir;
    try {
      ir = parse_break(fault, req.body);
    } catch (const std::exception& e) {
      r(http::error(400, e.what()));
      return;
    }
    b->ask<active_fault>(r, 201, [](const active_fault& a) { return to_json(a); },
                         inject_atom::value, ir);
  }));
  return server;
}

/// Holds the running server; the server stops when the actor is gone.
caf::behavior api(caf::event_based_actor* self, std::shared_ptr<http::server> server) {
  self->attach_functor([server] { server->stop(); });
  return {[](caf::unit_t) {}};
}

} // namespace

supervision::child_spec http_api_child(std::string listen, std::string token_file,
                                       std::shared_ptr<supervision::name_directory> directory,
                                       std::string controller_path) {
  supervision::child_spec spec;
  spec.id = "api";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(2));
  // Set up in the start function, so a missing token or a busy port is a
  // start failure that says why.
  spec.start = [=](caf::local_actor* sup, const std::string&) {
    auto& sys = sup->home_system();
    auto token = read_secret(token_file);
    if (token.size() < 16)
      throw std::runtime_error("the chaos API token in " + token_file
                               + " is shorter than 16 characters");
    std::shared_ptr<http::server> server
      = make_server(sys, listen, token, directory, controller_path);
    auto port = server->start();
    spdlog::info("chaos: HTTP API listening on {} (port {})", listen, port);
    return sys.spawn(api, server);
  };
  return spec;
}

} // namespace vigil::chaos
