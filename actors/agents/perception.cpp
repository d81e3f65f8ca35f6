#include "actors/agents/perception.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "actors/agents/problem_tracker.hpp"
#include "actors/agents/role_lookup.hpp"
#include "actors/agents/signal_table.hpp"
#include "messages/observability_json.hpp"
#include "messages/unix_time.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;
using tick_atom = caf::atom_constant<caf::atom("pc_tick")>;
using poll_atom = caf::atom_constant<caf::atom("pc_poll")>;

constexpr auto ask_timeout = std::chrono::seconds(2);
/// Never "chaos": perception is blind to what the chaos plane says it did.
const char* const topics[] = {"probe.", "sli.", "service.", "sample."};

struct perception_state {
  static inline const char* name = "vigil.perception";
  agents_context ctx;
  perception_settings settings;
  signal_table table;
  std::unique_ptr<status::health_board> board;
  /// Latest result per probe and when each service first looked bad.
  std::map<std::string, probe_result> latest;
  std::map<std::string, int64_t> first_bad;
  /// Per probe: when its results turned not ok (0 while ok).
  std::map<std::string, int64_t> not_ok_since;
  /// Per probe: its status now and since when.
  std::map<std::string, std::pair<std::string, int64_t>> status_since;
  /// Open problems: services that went bad together.
  std::unique_ptr<problem_tracker> problems;
  caf::actor followed;
  caf::actor services; ///< The action node's service manager, once found.
  bool sending = false;
  uint64_t bad_events = 0;
  int64_t started_ms = 0; ///< When this perception started (startup grace).
};

using perception_ptr = caf::stateful_actor<perception_state>*;

std::string sli_line(const sli_snapshot& s) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "traffic on %s: %.0f%% success (%llu of %llu failed), p95 %.0f ms",
                s.service.c_str(), s.success_ratio * 100,
                static_cast<unsigned long long>(s.failures),
                static_cast<unsigned long long>(s.requests), s.p95_ms);
  return buf;
}

bool ignored(const perception_state& st, const std::string& probe) {
  auto& list = st.settings.ignore_probes;
  return std::find(list.begin(), list.end(), probe) != list.end();
}

/// Services judged bad now: degraded or down after hysteresis, or with a
/// probe not ok for bad_for_ms (a probe reports on a change and then only
/// every few seconds, so a short fault may never give results in a row).
std::set<std::string> bad_services(const perception_state& st, int64_t now) {
  std::set<std::string> result;
  for (auto& h : st.board->snapshot())
    if (h.health == "degraded" || h.health == "down")
      result.insert(h.service);
  if (st.settings.bad_for_ms > 0)
    for (auto& [probe, since] : st.not_ok_since) {
      auto it = st.latest.find(probe);
      if (since > 0 && now - since >= st.settings.bad_for_ms && it != st.latest.end()
          && it->second.status != "ok" && !ignored(st, probe))
        result.insert(it->second.target);
    }
  return result;
}

/// The incident coordinator on this node (invalid while it restarts).
incidents_actor coordinator_of(const perception_state& st) {
  return caf::actor_cast<incidents_actor>(st.ctx.directory->get(st.ctx.path(actor_paths::incidents)));
}

/// A probe's status now, and since when it has had it.
void note_status(perception_state& st, const std::string& probe, const std::string& status,
                 int64_t now) {
  auto& since = st.status_since[probe];
  if (since.first != status)
    since = {status, now};
}

/// What the problem tracker reads now: ignored probes left out.
probe_view view_of(const perception_state& st, int64_t now) {
  probe_view v;
  v.bad_services = bad_services(st, now);
  for (auto& [name, r] : st.latest) {
    if (ignored(st, name))
      continue;
    v.latest[name] = r;
    auto since = st.status_since.find(name);
    if (since != st.status_since.end() && since->second.first == r.status)
      v.status_since[name] = since->second.second;
  }
  v.first_bad = st.first_bad;
  return v;
}

/// A service that turns bad joins the problem that changed within
/// merge_window_ms (a cascade: the database, then the API behind it);
/// later it is a problem of its own. A problem ends once all its services
/// are ok for quiet_ms.
void update_problems(perception_ptr self, int64_t now) {
  auto& st = self->state;
  // Right after a (re)start everything is "unknown" and the stack itself may
  // be starting: what is still bad after the grace is a problem.
  if (now - st.started_ms < st.settings.startup_grace_ms)
    return;
  for (auto& id : st.problems->update(view_of(st, now), now))
    if (auto coordinator = coordinator_of(st))
      self->send(coordinator, over_atom::value, id);
}

void send_problems(perception_ptr self) {
  auto& st = self->state;
  if (st.sending)
    return;
  auto coordinator = coordinator_of(st);
  if (!coordinator)
    return; // kept; tried again at the next tick
  auto next = st.problems->take_unsent(view_of(st, now_unix_ms()));
  if (!next)
    return;
  st.sending = true;
  auto key = next->first;
  // One at a time; the next tick sends the next.
  self->request(coordinator, ask_timeout, open_atom::value, std::move(next->second))
    .then(
      [self, key](std::string& id) {
        self->state.sending = false;
        if (self->state.problems->opened(key, id))
          spdlog::info("perception: the problem with {} is incident {}", key, id);
      },
      [self, key](caf::error& err) {
        self->state.sending = false;
        spdlog::warn("perception: the coordinator did not take the problem with {} ({}); "
                     "retrying", key, to_string(err));
        self->state.problems->not_taken(key);
      });
}

void take_probe(perception_ptr self, const probe_result& r, int64_t now) {
  auto& st = self->state;
  st.table.observe(r, now);
  st.latest[r.probe] = r;
  if (ignored(st, r.probe))
    return;
  auto at = r.at_unix_ms > 0 ? r.at_unix_ms : now;
  auto& since = st.not_ok_since[r.probe];
  since = r.status == "ok" ? 0 : since == 0 ? now : since;
  note_status(st, r.probe, r.status, now);
  if (r.status != "ok") {
    auto& fb = st.first_bad[r.target];
    if (fb == 0)
      fb = at;
  }
  st.board->observe(r, now);
  // The first bad sample counts from the last time the service was all ok.
  if (r.status == "ok")
    for (auto& h : st.board->snapshot())
      if (h.service == r.target && h.health == "ok")
        st.first_bad[r.target] = 0;
}

void take(perception_ptr self, const event& e) {
  auto& st = self->state;
  auto now = now_unix_ms();
  try {
    auto payload = json::parse(e.payload);
    if (e.topic.rfind("probe.", 0) == 0) {
      take_probe(self, probe_result_from_json(payload), now);
    } else if (e.topic.rfind("sli.", 0) == 0) {
      auto s = sli_snapshot_from_json(payload);
      st.table.observe(s, now);
      if (s.requests > 0) {
        if (s.success_ratio < st.settings.board.sli_degraded_below) {
          auto& fb = st.first_bad[s.service];
          if (fb == 0)
            fb = s.window_end_unix_ms > 0 ? s.window_end_unix_ms - s.window_ms : now;
        }
        st.board->observe(s, now);
        probe_result as_probe; // so the traffic shows among the symptoms
        as_probe.probe = "traffic:" + s.service;
        as_probe.kind = "traffic";
        as_probe.target = s.service;
        as_probe.status = s.success_ratio < st.settings.board.sli_down_below ? "down"
                          : s.success_ratio < st.settings.board.sli_degraded_below ? "degraded"
                                                                                  : "ok";
        as_probe.detail = sli_line(s);
        as_probe.at_unix_ms = s.window_end_unix_ms;
        note_status(st, as_probe.probe, as_probe.status, now);
        st.latest[as_probe.probe] = as_probe;
      }
    } else if (e.topic.rfind("service.", 0) == 0) {
      service_health h;
      h.service = payload.value("service", "");
      h.health = payload.value("health", "");
      h.reason = payload.value("reason", "");
      h.since_unix_ms = payload.value("since_unix_ms", e.at_unix_ms);
      st.table.observe(h, now);
    } else if (e.topic.rfind("sample.", 0) == 0) {
      auto service = payload.value("service", "");
      for (auto& prefix : st.settings.ignore_metrics_of)
        if (service.rfind(prefix, 0) == 0)
          return;
      std::vector<metric_sample> samples;
      for (auto& s : payload.value("samples", json::array()))
        if (s.contains("series") && s["series"].is_string() && s.contains("value")
            && s["value"].is_number())
          samples.push_back({s["series"].get<std::string>(), s["value"].get<double>(),
                             s.value("at", e.at_unix_ms)});
      st.table.observe(service, samples, now);
      return;
    } else {
      return;
    }
    update_problems(self, now);
    send_problems(self);
  } catch (const std::exception& ex) {
    if (st.bad_events++ % 100 == 0)
      spdlog::warn("perception: ignored event {} on {}: {}", e.id, e.topic, ex.what());
  }
}

void follow_bus(perception_ptr self) {
  auto& st = self->state;
  auto bus = st.ctx.directory->get(st.ctx.path(actor_paths::bus));
  if (!bus || bus == st.followed)
    return;
  st.followed = bus;
  self->monitor(bus);
  for (auto topic : topics)
    self->request(caf::actor_cast<event_bus_actor>(bus), ask_timeout, subscribe_atom::value,
                  std::string{topic}, caf::actor_cast<caf::actor>(self))
      .then([](bool) { /* nop */ },
            [self, bus, topic](caf::error& err) {
              spdlog::warn("perception: cannot subscribe to {}* on the bus: {}", topic,
                           to_string(err));
              if (self->state.followed == bus)
                self->state.followed = nullptr; // again at the next tick
            });
  spdlog::info("perception: following the bus for probe.*, sli.*, service.*, sample.*");
}

/// Which problems' incidents were escalated (asked of the coordinator).
void poll_escalations(perception_ptr self) {
  auto coordinator = coordinator_of(self->state);
  if (!coordinator)
    return;
  for (auto& p : self->state.problems->problems()) {
    if (p.incident_id.empty() || p.escalated)
      continue;
    self->request(coordinator, ask_timeout, incident_atom::value, p.incident_id)
      .then(
        [self, id = p.incident_id](const incident& x) {
          if (x.state == incident_state::escalated)
            self->state.problems->escalated(id);
        },
        [](caf::error&) { /* nop: asked again at the next poll */ });
  }
}

void poll(perception_ptr self) {
  auto& st = self->state;
  poll_escalations(self);
  auto registry = st.ctx.registry ? st.ctx.registry() : registry_actor{};
  if (!registry)
    return;
  self->request(registry, ask_timeout, nodes_atom::value)
    .then([self](std::vector<node_info>& nodes) { self->state.table.observe(nodes, now_unix_ms()); },
          [](caf::error&) { /* nop: the registry restarts; next poll */ });
  auto ask_services = [self](caf::actor services) {
    self->request(caf::actor_cast<service_manager_actor>(services), ask_timeout,
                  svc_list_atom::value)
      .then(
        [self](std::vector<service_status>& list) {
          auto now = now_unix_ms();
          for (auto& s : list)
            self->state.table.observe(s, now);
        },
        [self](caf::error&) { self->state.services = nullptr; });
  };
  if (st.services) {
    ask_services(st.services);
    return;
  }
  find_by_role<caf::actor>(
    self, registry, "action", actor_paths::services,
    [self, ask_services](caf::actor services) {
      self->state.services = services;
      ask_services(services);
    },
    [](const std::string&) { /* nop: no action node now */ });
}

caf::behavior perception(perception_ptr self, agents_context ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.settings = parse_perception_settings(st.ctx.config.settings("perception"));
  st.started_ms = now_unix_ms();
  st.board = std::make_unique<status::health_board>(st.settings.board);
  st.problems = std::make_unique<problem_tracker>(problem_settings{
    st.settings.merge_window_ms, st.settings.quiet_ms, st.settings.new_failure_after_ms});
  st.table.log_keep_ms(st.settings.log_keep_ms);
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source == self->state.followed)
      self->state.followed = nullptr;
  });
  self->send(self, tick_atom::value);
  self->send(self, poll_atom::value);
  return {
    [self](signals_atom) { return self->state.table.snapshot(); },
    [self](publish_atom, const event& e) { take(self, e); },
    [self](tick_atom) {
      auto& st = self->state;
      follow_bus(self);
      auto now = now_unix_ms();
      st.table.expire(now, st.settings.signal_max_age_ms);
      st.board->expire(now);
      update_problems(self, now);
      send_problems(self);
      self->delayed_send(self, std::chrono::milliseconds(250), tick_atom::value);
    },
    [self](poll_atom) {
      poll(self);
      self->delayed_send(self, std::chrono::milliseconds(self->state.settings.poll_ms),
                         poll_atom::value);
    },
  };
}

} // namespace

perception_settings parse_perception_settings(const nlohmann::json& j) {
  perception_settings s;
  if (!j.is_object())
    return s;
  s.board.degrade_after = j.value("degrade_after", s.board.degrade_after);
  s.board.recover_after = j.value("recover_after", s.board.recover_after);
  s.board.stale_after_ms = j.value("stale_after_ms", s.board.stale_after_ms);
  s.board.sli_degraded_below = j.value("sli_degraded_below", s.board.sli_degraded_below);
  s.board.sli_down_below = j.value("sli_down_below", s.board.sli_down_below);
  s.quiet_ms = j.value("quiet_ms", s.quiet_ms);
  s.startup_grace_ms = j.value("startup_grace_ms", s.startup_grace_ms);
  s.merge_window_ms = j.value("merge_window_ms", s.merge_window_ms);
  s.bad_for_ms = j.value("bad_for_ms", s.bad_for_ms);
  s.new_failure_after_ms = j.value("new_failure_after_ms", s.new_failure_after_ms);
  s.poll_ms = std::max<int64_t>(100, j.value("poll_ms", s.poll_ms));
  s.signal_max_age_ms = j.value("signal_max_age_ms", s.signal_max_age_ms);
  s.log_keep_ms = j.value("log_keep_ms", s.log_keep_ms);
  s.ignore_probes = j.value("ignore_probes", s.ignore_probes);
  s.ignore_metrics_of = j.value("ignore_metrics_of", s.ignore_metrics_of);
  return s;
}

supervision::child_spec perception_child(agents_context ctx) {
  supervision::child_spec spec;
  spec.id = "perception";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [ctx](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(sup->home_system().spawn(perception, ctx));
  };
  return spec;
}

} // namespace vigil::agents
