#include "actors/probes/probe_manager.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/probes/probe_actor.hpp"
#include "messages/observability_json.hpp"
#include "metrics/registry.hpp"

namespace vigil::probes {

namespace {

struct manager_state {
  static inline const char* name = "vigil.probes";
  manager_settings settings;
  std::string self_name;
  uint64_t seq = 0;
  std::map<std::string, probe_result> latest;
  std::map<std::string, int64_t> published_at;  ///< per probe
  std::map<std::string, std::vector<metric_sample>> samples; ///< per service
  std::map<std::string, int64_t> samples_published_at;
};

std::string severity_of(const std::string& status) {
  return status == "ok" ? "info" : status == "degraded" ? "warning" : "error";
}

void describe_metrics() {
  auto& reg = metrics::registry::global();
  reg.describe("vigil_probe_up", metrics::kind::gauge,
               "1 when the probe's last check was not down, else 0");
  reg.describe("vigil_probe_status", metrics::kind::gauge,
               "Last status of each probe: 0 ok, 1 degraded, 2 down");
  reg.describe("vigil_probe_latency_ms", metrics::kind::gauge,
               "How long the probe's last check took");
  reg.describe("vigil_probe_checks_total", metrics::kind::counter,
               "Checks run, by probe and result (ok, degraded, down)");
}

void export_metrics(const probe_result& r) {
  auto& reg = metrics::registry::global();
  metrics::labels l{{"probe", r.probe}, {"kind", r.kind}, {"target", r.target}};
  reg.set("vigil_probe_up", l, r.status == "down" ? 0 : 1);
  reg.set("vigil_probe_status", l, r.status == "ok" ? 0 : r.status == "degraded" ? 1 : 2);
  reg.set("vigil_probe_latency_ms", l, r.latency_ms);
  reg.add("vigil_probe_checks_total", {{"probe", r.probe}, {"result", r.status}});
}

/// Fire and forget: without a relay (yet) the event goes nowhere.
void publish(caf::stateful_actor<manager_state>* self, std::string topic, std::string severity,
             std::string summary, std::string payload, int64_t at) {
  auto& st = self->state;
  if (!st.settings.directory)
    return;
  auto relay = st.settings.directory->get(st.settings.node_id + "/events");
  if (!relay)
    return;
  event e;
  e.id = st.self_name + ":" + std::to_string(++st.seq);
  e.topic = std::move(topic);
  e.source = st.self_name;
  e.at_unix_ms = at;
  e.severity = std::move(severity);
  e.summary = std::move(summary);
  e.payload = std::move(payload);
  self->send(relay, publish_atom::value, std::move(e));
}

caf::behavior manager_behavior(caf::stateful_actor<manager_state>* self,
                               manager_settings settings) {
  self->state.settings = std::move(settings);
  self->state.self_name = self->state.settings.node_id + "/probe/manager";
  describe_metrics();
  return {
    [self](report_atom, probe_result& r) {
      auto& st = self->state;
      export_metrics(r);
      auto old = st.latest.find(r.probe);
      bool changed = old == st.latest.end() || old->second.status != r.status;
      auto& last = st.published_at[r.probe];
      if (changed || r.at_unix_ms - last >= st.settings.publish_every_ms) {
        last = r.at_unix_ms;
        publish(self, "probe." + r.probe, severity_of(r.status), r.detail, to_json(r).dump(),
                r.at_unix_ms);
      }
      st.latest[r.probe] = std::move(r);
    },
    [self](report_atom, const std::string& service, std::vector<metric_sample>& samples) {
      auto& st = self->state;
      auto at = samples.empty() ? int64_t{0} : samples.front().at_unix_ms;
      auto& last = st.samples_published_at[service];
      if (at - last >= st.settings.publish_every_ms) {
        last = at;
        nlohmann::json list = nlohmann::json::array();
        for (auto& s : samples)
          list.push_back({{"series", s.series}, {"value", s.value}, {"at", s.at_unix_ms}});
        publish(self, "sample." + service, "info",
                std::to_string(samples.size()) + " series of " + service,
                nlohmann::json{{"service", service}, {"samples", std::move(list)}}.dump(), at);
      }
      st.samples[service] = std::move(samples);
    },
    [self](probes_atom) {
      std::vector<probe_result> out;
      for (auto& [_, r] : self->state.latest)
        out.push_back(r);
      return out;
    },
    [self](metrics_atom, const std::string& service)
      -> caf::result<std::vector<metric_sample>> {
      auto it = self->state.samples.find(service);
      if (it == self->state.samples.end()) {
        std::string known;
        for (auto& [name, _] : self->state.samples)
          known += (known.empty() ? "" : ", ") + name;
        return caf::make_error(observability_error::unknown_service,
                               "no scraped series for '" + service + "' (known: "
                                 + (known.empty() ? "none yet" : known) + ")");
      }
      return it->second;
    },
    [self](probe_now_atom, const std::string& name) -> caf::result<probe_result> {
      auto& st = self->state;
      auto probe = st.settings.directory
                     ? st.settings.directory->get(st.settings.node_id + "/probe/probes/" + name)
                     : caf::actor{};
      if (!probe)
        return caf::make_error(observability_error::unknown_service,
                               "no probe named '" + name + "' runs on " + st.settings.node_id);
      // The probe checks on its own thread; a check never takes much
      // longer than its timeout.
      auto rp = self->make_response_promise<probe_result>();
      self->request(probe, std::chrono::seconds(10), probe_now_atom::value)
        .then([rp](probe_result& r) mutable { rp.deliver(std::move(r)); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_probe_manager(caf::actor_system& sys, manager_settings settings) {
  return sys.spawn(manager_behavior, std::move(settings));
}

supervision::child_spec probe_manager_child(manager_settings settings) {
  supervision::child_spec spec;
  spec.id = "manager";
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(1));
  spec.start = [settings](caf::local_actor* sup, const std::string&) {
    return spawn_probe_manager(sup->home_system(), settings);
  };
  return spec;
}

} // namespace vigil::probes
