#include "nodes/metrics_endpoint.hpp"

#include <atomic>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "http/server.hpp"
#include "metrics/process.hpp"
#include "nodes/node_metrics.hpp"

namespace vigil {

namespace {

http::response exposition(std::string body) {
  http::response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::unique_ptr<http::server> make_server(caf::actor_system& sys, node_context_ptr ctx,
                                          metrics_endpoint_options opts) {
  auto where = parse_endpoint(ctx->config.metrics_listen, "metrics_listen");
  http::server::options so;
  so.address = where.host;
  so.port = where.port;
  so.max_body_bytes = 4096; // scrapes and health checks carry no body
  auto server = std::make_unique<http::server>(so);
  auto in_flight = std::make_shared<std::atomic<size_t>>(0);
  auto reg = opts.registry;
  caf::timespan timeout = opts.ask_timeout;
  // Beast threads only hand the scrape to a CAF actor: never a blocking wait here.
  server->route("GET", "/metrics", [&sys, ctx, opts, in_flight, reg,
                                    timeout](const http::request&, http::responder respond) {
    if (in_flight->fetch_add(1) >= opts.max_concurrent_scrapes) {
      in_flight->fetch_sub(1);
      respond(http::text(503, "too many scrapes in progress\n"));
      return;
    }
    collect_node_metrics(sys, ctx, *reg, timeout, [in_flight, reg, respond] {
      in_flight->fetch_sub(1);
      respond(exposition(reg->render()));
    });
  });
  server->route("GET", "/healthz", [ctx](const http::request&, http::responder respond) {
    respond(http::text(200, "ok " + ctx->config.id + "\n"));
  });
  return server;
}

/// Owns the running server. A stop request (the node stopping) closes the
/// port before the actor exits, so nothing serves once the node is down;
/// after an untrappable kill the functor stops it as soon as it can.
caf::behavior metrics_server_owner(caf::event_based_actor* self,
                                   std::shared_ptr<http::server> server, metrics::registry* reg,
                                   metrics::collector_id process_collector) {
  self->set_exit_handler([self, server](caf::exit_msg& msg) {
    server->stop();
    self->quit(msg.reason);
  });
  self->attach_functor([server, reg, process_collector] {
    server->stop();
    reg->remove_collector(process_collector);
  });
  return {[](caf::unit_t) {
    // nop: everything happens in the server's routes
  }};
}

} // namespace

supervision::child_spec metrics_endpoint_child(node_context_ptr ctx,
                                               metrics_endpoint_options opts) {
  supervision::child_spec spec;
  spec.id = "metrics";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(2));
  // The last server, kept so a restart can close its port first: a killed
  // endpoint's down message may reach the supervisor before its functor ran.
  auto previous = std::make_shared<std::shared_ptr<http::server>>();
  // Bound in the start function, so a busy port is a start failure that says why.
  spec.start = [ctx, opts, previous](caf::local_actor* sup, const std::string&) {
    auto& sys = sup->home_system();
    if (*previous)
      (*previous)->stop();
    previous->reset();
    std::shared_ptr<http::server> server = make_server(sys, ctx, opts);
    uint16_t port = 0;
    try {
      port = server->start();
    } catch (const std::exception& e) {
      // The supervisor keeps the reason in the tree; the log shows it at once.
      spdlog::error("metrics: {}", e.what());
      throw;
    }
    *previous = server;
    describe_node_metrics(*opts.registry, *ctx);
    auto process_collector = metrics::collect_process_metrics(*opts.registry);
    spdlog::info("metrics: serving /metrics on {} (port {})", ctx->config.metrics_listen, port);
    return sys.spawn(metrics_server_owner, server, opts.registry, process_collector);
  };
  return spec;
}

} // namespace vigil
