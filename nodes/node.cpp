#include "nodes/node.hpp"

#include <csignal>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/bus/event_relay.hpp"
#include "nodes/admin.hpp"
#include "nodes/membership.hpp"
#include "nodes/metrics_endpoint.hpp"
#include "nodes/node_system_config.hpp"
#include "nodes/roles.hpp"
#include "supervision/supervisor.hpp"
#include "messages/unix_time.hpp"

namespace vigil {

namespace {

supervision::child_spec node_relay_child(node_context_ptr ctx) {
  bus::relay_config rc;
  rc.node_id = ctx->config.id;
  rc.started_unix_ms = ctx->started_unix_ms;
  rc.registry = [ctx] { return ctx->registry(); };
  if (ctx->config.has_role("control"))
    rc.local_bus = [ctx] { return ctx->directory->get(ctx->path(actor_paths::bus)); };
  return bus::relay_child(std::move(rc));
}

} // namespace

supervision::supervisor_spec node_root_spec(node_context_ptr ctx) {
  auto spec = node_supervisor_defaults(ctx, 10, std::chrono::seconds(10));
  spec.name = ctx->config.id;
  // First, so every other actor can publish from its start ("<node>/events").
  spec.children.push_back(node_relay_child(ctx));
  for (auto& role : ctx->config.roles)
    spec.children.push_back(role_child(role, ctx));
  spec.children.push_back(admin_child(ctx));
  spec.children.push_back(membership_child(ctx));
  // Last: /metrics reports on the children started before it.
  if (!ctx->config.metrics_listen.empty())
    spec.children.push_back(metrics_endpoint_child(ctx));
  return spec;
}

namespace {

void setup_logging(const node_config& cfg) {
  auto logger = spdlog::stderr_color_mt(cfg.id);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%n] %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(cfg.log_level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

} // namespace

int run_node(const node_config& cfg) {
  setup_logging(cfg);
  // Signals go to one waiting thread, not to whichever thread CAF runs.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  node_system_config caf_cfg{cfg};
  caf::actor_system sys{caf_cfg};
  auto ctx = std::make_shared<node_context>(cfg, now_unix_ms());
  spdlog::info("starting node {} with roles {} on {}:{}", cfg.id,
               fmt::join(cfg.roles, ","), cfg.host, cfg.port);
  auto root = supervision::spawn_supervisor(sys, node_root_spec(ctx));
  ctx->directory->put(cfg.id, caf::actor_cast<caf::actor>(root));

  std::thread([signals, root]() mutable {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  }).detach();

  caf::error reason;
  {
    caf::scoped_actor self{sys};
    self->monitor(root);
    self->receive([&](caf::down_msg& msg) { reason = msg.reason; });
  }
  ctx->directory->erase(cfg.id, caf::actor_cast<caf::actor>(root));
  if (reason && reason != caf::exit_reason::user_shutdown) {
    spdlog::error("node {} stopped: {}", cfg.id, sys.render(reason));
    return 1;
  }
  spdlog::info("node {} stopped", cfg.id);
  return 0;
}

} // namespace vigil
