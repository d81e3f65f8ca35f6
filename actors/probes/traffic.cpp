#include "actors/probes/traffic.hpp"

#include <chrono>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/probes/acked_log.hpp"
#include "actors/probes/sli_window.hpp"
#include "actors/bus/publish.hpp"
#include "http/client.hpp"
#include "messages/observability_json.hpp"
#include "metrics/registry.hpp"
#include "messages/unix_time.hpp"

namespace vigil::probes {

namespace {

using json = nlohmann::json;

// Local messages between the traffic actor and its workers.
using step_atom = caf::atom_constant<caf::atom("t_step")>;
using outcome_atom = caf::atom_constant<caf::atom("t_outcome")>;
using tick_atom = caf::atom_constant<caf::atom("t_tick")>;

/// What one user request came to.
struct outcome {
  std::string op; ///< browse, price or order.
  bool ok = false;
  double latency_ms = 0;
  std::string order_id; ///< Only for an order the shop acknowledged (2xx with an id).
  std::string detail;   ///< Why it failed.
};

// -- worker: one simulated user, on a thread of its own -----------------------

struct worker_state {
  static inline const char* name = "vigil.traffic.worker";
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<std::string> skus; ///< Learned from the product list.
  caf::actor_clock::time_point due;
};

using worker_ptr = caf::stateful_actor<worker_state>*;

std::string failure_detail(int status, const std::string& what) {
  return "HTTP " + std::to_string(status) + " from " + what;
}

/// An order id from an order reply: {"id": 42, ...}; "" when there is none.
std::string order_id_of(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object())
    return "";
  auto id = j.find("id");
  if (id == j.end())
    return "";
  std::string text;
  if (id->is_number_integer())
    text = std::to_string(id->get<int64_t>());
  else if (id->is_string())
    text = id->get<std::string>();
  return valid_order_id(text) ? text : "";
}

void learn_skus(worker_state& st, const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("products") || !j["products"].is_array())
    return;
  std::vector<std::string> skus;
  for (auto& p : j["products"])
    if (p.is_object() && p.contains("sku") && p["sku"].is_string())
      skus.push_back(p["sku"].get<std::string>());
  if (!skus.empty())
    st.skus = std::move(skus);
}

outcome one_request(worker_state& st, const traffic_config& cfg) {
  outcome result;
  std::uniform_real_distribution<double> coin{0, 1};
  auto draw = coin(st.rng);
  std::string sku;
  if (!st.skus.empty())
    sku = st.skus[std::uniform_int_distribution<size_t>{0, st.skus.size() - 1}(st.rng)];
  // Without a product list a user can only browse.
  if (sku.empty())
    result.op = "browse";
  else if (draw < cfg.order_ratio)
    result.op = "order";
  else
    result.op = coin(st.rng) < 0.5 ? "browse" : "price";
  std::string method = "GET";
  std::string path = "/products";
  std::string body;
  if (result.op == "price") {
    path += "/" + sku;
  } else if (result.op == "order") {
    method = "POST";
    path = "/orders";
    body = json{{"sku", sku}, {"quantity", 1}}.dump();
  }
  auto started = std::chrono::steady_clock::now();
  try {
    auto reply = http::fetch(method, cfg.base_url + path, body,
                             {{"Content-Type", "application/json"}},
                             std::chrono::milliseconds{cfg.timeout_ms});
    bool success = reply.status >= 200 && reply.status < 300;
    if (!success) {
      result.detail = failure_detail(reply.status, method + " " + path);
    } else if (result.op == "order") {
      result.order_id = order_id_of(reply.body);
      if (result.order_id.empty()) {
        success = false;
        result.detail = "no order id in the reply to POST /orders";
      }
    } else if (result.op == "browse") {
      learn_skus(st, reply.body);
    }
    result.ok = success;
  } catch (const std::exception& e) {
    result.detail = method + " " + path + ": " + e.what();
  }
  result.latency_ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - started)
                        .count();
  return result;
}

caf::behavior traffic_worker(worker_ptr self, caf::actor parent, traffic_config cfg,
                             caf::timespan interval, caf::timespan first_delay) {
  self->state.due = self->clock().now() + first_delay;
  self->delayed_send(self, first_delay, step_atom::value);
  return {
    [=](step_atom) {
      auto& st = self->state;
      auto result = one_request(st, cfg);
      // The file first: once the shop acknowledged an order, nothing that
      // happens to the actors afterwards may forget it.
      if (!result.order_id.empty() && !cfg.acked_file.empty()) {
        try {
          acked_log::append(cfg.acked_file, result.order_id);
        } catch (const std::exception& e) {
          spdlog::error("traffic: acknowledged order {} kept in memory only: {}",
                        result.order_id, e.what());
        }
      }
      self->send(parent, outcome_atom::value, result.op, result.ok, result.latency_ms,
                 result.order_id, result.detail);
      // Paced by the clock, not by the replies; slots missed while a slow
      // request ran are dropped rather than sent in a burst.
      auto now = self->clock().now();
      st.due += interval;
      if (st.due + interval < now)
        st.due = now;
      if (st.due <= now)
        self->send(self, step_atom::value);
      else
        self->delayed_send(self, st.due - now, step_atom::value);
    },
  };
}

// -- the traffic actor: windows, SLIs, acknowledged ids -------------------------

struct traffic_state {
  static inline const char* name = "vigil.traffic";
  traffic_context ctx;
  sli_window window;
  int64_t window_start_unix_ms = 0;
  sli_snapshot latest; ///< service empty until the first window closed
  std::string last_failure; ///< Of the current window, for the event's summary.
  std::unique_ptr<acked_log> acked;
};

using traffic_ptr = caf::stateful_actor<traffic_state>*;

void describe_metrics() {
  auto& m = metrics::registry::global();
  m.describe("vigil_sli_success_ratio", metrics::kind::gauge,
             "Share of synthetic requests that succeeded in the last window");
  m.describe("vigil_sli_latency_ms", metrics::kind::gauge,
             "Latency quantiles of synthetic requests in the last window");
  m.describe("vigil_traffic_requests_total", metrics::kind::counter,
             "Synthetic requests by operation and result");
  m.describe("vigil_traffic_acked_orders_total", metrics::kind::counter,
             "Orders the shop acknowledged to the synthetic traffic");
}

void publish_window(traffic_ptr self) {
  auto& st = self->state;
  auto& cfg = st.ctx.config;
  auto end = now_unix_ms();
  auto length = static_cast<uint32_t>(std::max<int64_t>(0, end - st.window_start_unix_ms));
  auto s = st.window.close(cfg.service, end, length);
  st.window_start_unix_ms = end;
  st.latest = s;
  auto& m = metrics::registry::global();
  m.set("vigil_sli_success_ratio", {{"service", cfg.service}}, s.success_ratio);
  m.set("vigil_sli_latency_ms", {{"service", cfg.service}, {"quantile", "0.5"}}, s.p50_ms);
  m.set("vigil_sli_latency_ms", {{"service", cfg.service}, {"quantile", "0.95"}}, s.p95_ms);
  m.set("vigil_sli_latency_ms", {{"service", cfg.service}, {"quantile", "0.99"}}, s.p99_ms);
  event e; // the relay gives it its id
  e.topic = "sli." + cfg.service;
  e.source = st.ctx.node_id + "/probe/traffic";
  e.at_unix_ms = end;
  e.severity = s.requests > 0 && s.success_ratio < 0.5 ? "error"
               : s.failures > 0                       ? "warning"
                                                      : "info";
  e.summary = fmt::format("{}: {:.1f}% of {} requests ok, p50 {:.0f} ms, p95 {:.0f} ms, "
                          "p99 {:.0f} ms",
                          cfg.service, s.success_ratio * 100, s.requests, s.p50_ms, s.p95_ms,
                          s.p99_ms);
  if (s.failures > 0)
    e.summary += "; last failure: " + st.last_failure;
  st.last_failure.clear();
  e.payload = to_json(s).dump();
  // Without a relay the SLIs stay available through sli_atom and /metrics.
  if (st.ctx.directory)
    bus::publish(self, *st.ctx.directory, st.ctx.node_id, std::move(e));
}

void take_new_acks(traffic_ptr self) {
  self->state.acked->catch_up();
  metrics::registry::global().set("vigil_traffic_acked_orders_total", {},
                                  static_cast<double>(self->state.acked->ids().size()));
}

caf::behavior traffic(traffic_ptr self, traffic_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  auto& cfg = st.ctx.config;
  st.acked = std::make_unique<acked_log>(cfg.acked_file);
  st.window_start_unix_ms = now_unix_ms();
  describe_metrics();
  take_new_acks(self);
  if (st.acked->skipped_lines() > 0)
    spdlog::warn("traffic: skipped {} lines of {} that are not order ids",
                 st.acked->skipped_lines(), cfg.acked_file);
  auto interval = std::chrono::duration_cast<caf::timespan>(
    std::chrono::duration<double>(cfg.workers / cfg.rate_per_s));
  for (uint32_t i = 0; i < cfg.workers; ++i)
    self->spawn<caf::detached + caf::linked>(traffic_worker, caf::actor_cast<caf::actor>(self),
                                             cfg, interval,
                                             interval * i / cfg.workers);
  self->delayed_send(self, std::chrono::milliseconds{cfg.window_ms}, tick_atom::value);
  // On shutdown (or a worker's crash) the partial window is published, so
  // the last seconds before a restart are not lost from the SLIs.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason || msg.reason == caf::exit_reason::normal)
      return;
    if (self->state.window.requests() > 0)
      publish_window(self);
    self->quit(msg.reason);
  });
  return {
    [self](outcome_atom, const std::string& op, bool ok, double latency_ms,
           const std::string& order_id, const std::string& detail) {
      auto& st = self->state;
      st.window.record(latency_ms, ok);
      if (!ok)
        st.last_failure = detail;
      metrics::registry::global().add(
        "vigil_traffic_requests_total",
        {{"service", st.ctx.config.service}, {"op", op}, {"result", ok ? "ok" : "error"}});
      if (!order_id.empty() && st.acked->add(order_id))
        metrics::registry::global().set("vigil_traffic_acked_orders_total", {},
                                        static_cast<double>(st.acked->ids().size()));
    },
    [self](tick_atom) {
      publish_window(self);
      take_new_acks(self);
      self->delayed_send(self, std::chrono::milliseconds{self->state.ctx.config.window_ms},
                         tick_atom::value);
    },
    [self](sli_atom) {
      std::vector<sli_snapshot> result;
      if (!self->state.latest.service.empty())
        result.push_back(self->state.latest);
      return result;
    },
    [self](acked_atom) {
      take_new_acks(self);
      return self->state.acked->ids();
    },
  };
}

} // namespace

traffic_actor spawn_traffic(caf::actor_system& sys, traffic_context ctx) {
  return caf::actor_cast<traffic_actor>(sys.spawn(traffic, std::move(ctx)));
}

supervision::child_spec traffic_child(traffic_context ctx) {
  supervision::child_spec spec;
  spec.id = "traffic";
  // Workers finish their request (at most timeout_ms) before they go.
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(2));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_traffic(sup->home_system(), ctx));
  };
  return spec;
}

} // namespace vigil::probes
