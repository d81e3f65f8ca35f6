#include "actors/bus/event_bus.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/bus/event_check.hpp"
#include "actors/store/event_query.hpp"
#include "actors/store/event_writer.hpp"
#include "metrics/registry.hpp"
#include "messages/unix_time.hpp"

namespace vigil::bus {

namespace {

constexpr uint32_t default_limit = 100;
constexpr uint32_t max_limit = 10000;
constexpr auto store_query_timeout = std::chrono::seconds(10);

// Ids the bus gives events published straight to it without one; unique in
// the process across bus restarts, and across processes by the start time.
std::atomic<uint64_t> bus_seq{0};
const int64_t process_start_ms = now_unix_ms();

bool has_prefix(const std::string& topic, const std::string& prefix) {
  return topic.compare(0, prefix.size(), prefix) == 0;
}

struct bus_state {
  static inline const char* name = "vigil.bus";
  bus_config config;
  std::deque<event> ring;
  /// Everything published since this time is in the ring.
  int64_t ring_complete_since = 0;
  std::set<std::pair<std::string, caf::actor>> subscribers; // (prefix, who)
  uint64_t published = 0;
  uint64_t refused = 0;
  /// Destroyed with the state: spools what is still queued.
  std::unique_ptr<store::event_writer> writer;
  std::string writer_error;
};

using bus_ptr = event_bus_actor::stateful_pointer<bus_state>;

void set_subscriber_gauge(bus_ptr self) {
  metrics::registry::global().set("vigil_bus_subscribers", {},
                                  static_cast<double>(self->state.subscribers.size()));
}

std::vector<event> from_ring(const bus_state& st, int64_t since, const std::string& prefix,
                             uint32_t limit) {
  std::vector<event> result;
  for (auto i = st.ring.rbegin(); i != st.ring.rend() && result.size() < limit; ++i)
    if (i->at_unix_ms >= since && has_prefix(i->topic, prefix))
      result.push_back(*i);
  std::reverse(result.begin(), result.end());
  return result;
}

/// Store rows first (older), then ring events the store does not have yet.
std::vector<event> merge(std::vector<event> stored, const std::vector<event>& recent,
                         uint32_t limit) {
  std::set<std::string> ids;
  for (auto& e : stored)
    ids.insert(e.id);
  for (auto& e : recent)
    if (ids.count(e.id) == 0)
      stored.push_back(e);
  if (stored.size() > limit)
    stored.erase(stored.begin(), stored.end() - limit);
  return stored;
}

void publish(bus_ptr self, event& e) {
  auto& st = self->state;
  if (auto why = check_event(e)) {
    ++st.refused;
    metrics::registry::global().add("vigil_bus_refused_total", {});
    spdlog::warn("bus: refused an event on topic \"{}\": {}", e.topic.substr(0, 80), *why);
    return;
  }
  if (e.id.empty())
    e.id = st.config.node_id + "/bus@" + std::to_string(process_start_ms) + ":"
           + std::to_string(++bus_seq);
  if (e.at_unix_ms == 0)
    e.at_unix_ms = now_unix_ms();
  if (e.source.empty())
    e.source = "unknown";
  ++st.published;
  metrics::registry::global().add("vigil_bus_published_total", {});
  // anon_send: a typed actor may not send() to dynamically typed ones.
  for (auto& [prefix, who] : st.subscribers)
    if (has_prefix(e.topic, prefix))
      caf::anon_send(who, publish_atom::value, e);
  if (st.writer)
    st.writer->write(e);
  st.ring.push_back(std::move(e));
  if (st.ring.size() > st.config.ring_size) {
    st.ring.pop_front();
    st.ring_complete_since = std::max(st.ring_complete_since, st.ring.front().at_unix_ms);
  }
}

event_bus_actor::behavior_type event_bus(bus_ptr self, bus_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  if (st.config.ring_size == 0)
    st.config.ring_size = 1;
  st.ring_complete_since = now_unix_ms();
  auto& reg = metrics::registry::global();
  reg.describe("vigil_bus_published_total", metrics::kind::counter,
               "Events the bus accepted and passed on.");
  reg.describe("vigil_bus_refused_total", metrics::kind::counter,
               "Events the bus refused as malformed (logged).");
  reg.describe("vigil_bus_subscribers", metrics::kind::gauge, "Subscriptions on the bus.");
  set_subscriber_gauge(self);
  if (!st.config.ops_store.dsn.empty()) {
    store::writer_config wc;
    wc.dsn = st.config.ops_store.dsn;
    // One spool per node: two control nodes on a host never share one.
    wc.spool_dir = st.config.ops_store.spool_dir + "/" + st.config.node_id;
    wc.retain_events = std::chrono::hours(st.config.ops_store.retain_events_hours);
    wc.retain_samples = std::chrono::hours(st.config.ops_store.retain_samples_hours);
    try {
      st.writer = std::make_unique<store::event_writer>(wc);
    } catch (const std::exception& e) {
      // A bad spool folder must not take the registry down with the bus.
      st.writer_error = e.what();
      spdlog::error("bus: no ops store writer: {}", e.what());
    }
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    for (auto i = subs.begin(); i != subs.end();)
      i = i->second.address() == msg.source ? subs.erase(i) : std::next(i);
    set_subscriber_gauge(self);
  });
  return {
    [self](publish_atom, event& e) { publish(self, e); },
    [self](subscribe_atom, std::string& prefix, caf::actor& who) {
      if (!who)
        return false;
      self->monitor(who);
      self->state.subscribers.emplace(std::move(prefix), std::move(who));
      set_subscriber_gauge(self);
      return true;
    },
    [self](events_atom, int64_t since, std::string& prefix,
           uint32_t limit) -> caf::result<std::vector<event>> {
      auto& st = self->state;
      if (limit == 0)
        limit = default_limit;
      limit = std::min(limit, max_limit);
      auto recent = from_ring(st, since, prefix, limit);
      // The ring has all of it, or there is nowhere else to look.
      if (recent.size() >= limit || since >= st.ring_complete_since
          || st.config.ops_store.dsn.empty())
        return recent;
      auto rp = self->make_response_promise<std::vector<event>>();
      auto dsn = st.config.ops_store.dsn;
      // libpqxx blocks: ask from a detached actor of its own.
      auto reader = self->spawn<caf::detached>(
        [dsn](caf::event_based_actor* reader) -> caf::behavior {
          return {[reader, dsn](events_atom, int64_t since, const std::string& prefix,
                                uint32_t limit) -> caf::result<std::vector<event>> {
            reader->quit();
            try {
              return store::query_events(dsn, since, prefix, limit);
            } catch (const std::exception& e) {
              return caf::make_error(observability_error::store_unavailable, e.what());
            }
          }};
        });
      self->request(reader, store_query_timeout, events_atom::value, since, prefix, limit)
        .then(
          [rp, recent, limit](std::vector<event>& stored) mutable {
            rp.deliver(merge(std::move(stored), recent, limit));
          },
          [rp, recent](caf::error& err) mutable {
            // The recent part is still an answer: the store's trouble shows in stats.
            spdlog::warn("bus: older events unavailable: {}", caf::to_string(err));
            rp.deliver(recent);
          });
      return rp;
    },
    [self](stats_atom) {
      auto& st = self->state;
      bus_stats s;
      s.published = st.published;
      s.subscribers = st.subscribers.size();
      if (st.writer) {
        auto ws = st.writer->stats();
        s.written = ws.written;
        s.queued = ws.queued;
        s.spooled = ws.spooled;
        s.store_up = ws.store_up;
        s.store_error = ws.store_error;
      } else {
        s.store_error = st.writer_error.empty() ? "no ops store configured" : st.writer_error;
      }
      return s;
    },
  };
}

} // namespace

event_bus_actor spawn_event_bus(caf::actor_system& sys, bus_config config) {
  return sys.spawn(event_bus, std::move(config));
}

supervision::child_spec event_bus_child(bus_config config) {
  supervision::child_spec spec;
  spec.id = "bus";
  // The writer may be inside one INSERT when asked to stop.
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(15));
  spec.start = [config](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_event_bus(sup->home_system(), config));
  };
  return spec;
}

} // namespace vigil::bus
