// The CAF client node behind vigilctl: its config, the connection to a node's
// admin actor, and typed requests with a deadline.
#include "vigilctl/client.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "messages/actor_paths.hpp"
#include "messages/announce.hpp"

namespace vigilctl {

namespace {

class client_config : public caf::actor_system_config {
public:
  client_config() {
    vigil::announce_messages(*this);
    load<caf::io::middleman>();
    // Nodes close connections that stay silent past their connection
    // timeout (down_after_ms, 1200 ms by default), so an idle shell must
    // send heartbeats well within it.
    set("middleman.heartbeat-interval",
        caf::timespan{std::chrono::milliseconds{100}});
    // stdout belongs to command output (and must stay pure JSON with --json).
    set("logger.console", caf::atom("none"));
    set("logger.file-verbosity", caf::atom("quiet"));
  }
};

std::string seconds_text(std::chrono::nanoseconds timeout) {
  std::ostringstream out;
  out << std::chrono::duration<double>(timeout).count() << 's';
  return out.str();
}

} // namespace

struct client::impl {
  impl(endpoint target, caf::timespan deadline)
    : node(std::move(target)), timeout(deadline), system(config), self(system) {
    // nop
  }

  std::string where() const {
    return to_string(node);
  }

  std::string explain(const caf::error& err) const {
    if (err == caf::sec::request_timeout)
      return "no reply from " + where() + " within " + seconds_text(timeout);
    if (err == caf::sec::request_receiver_down)
      return "lost the connection to " + where();
    return system.render(err);
  }

  std::optional<std::string> connect() {
    if (admin && !*admin_gone)
      return std::nullopt;
    admin = vigil::admin_actor{};
    std::optional<std::string> why;
    // The middleman actor rather than middleman().remote_actor(): the latter
    // waits forever on a peer that accepts TCP but never says hello.
    self
      ->request(system.middleman().actor_handle(), timeout,
                caf::connect_atom::value, node.host, node.port)
      .receive(
        [&](caf::node_id&, caf::strong_actor_ptr& handle,
            std::set<std::string>& signatures) {
          if (!handle)
            why = "no actor is published at " + where();
          else if (!system.assignable<vigil::admin_actor>(signatures))
            why = where() + " does not speak the Vigil admin protocol";
          else
            use(caf::actor_cast<vigil::admin_actor>(std::move(handle)));
        },
        [&](caf::error& err) {
          if (err == caf::sec::request_timeout) {
            stuck = true;
            why = "cannot connect to " + where() + " within "
                  + seconds_text(timeout);
          } else {
            why = "cannot connect to " + where() + ": " + explain(err);
          }
        });
    return why;
  }

  /// Watches the proxy: CAF 0.17 silently drops messages to a proxy whose
  /// connection is gone, so a request would only time out.
  void use(vigil::admin_actor handle) {
    auto gone = std::make_shared<std::atomic<bool>>(false);
    handle->attach_functor([gone](const caf::error&) { *gone = true; });
    admin = std::move(handle);
    admin_gone = std::move(gone);
  }

  template <class T, class... Ts>
  reply<T> ask(Ts&&... xs) {
    if (auto why = connect())
      return reply<T>::failure(std::move(*why));
    auto result = reply<T>::failure("no reply from " + where());
    self->request(admin, timeout, std::forward<Ts>(xs)...)
      .receive([&](T& value) { result = reply<T>{std::move(value)}; },
               [&](caf::error& err) {
                 // A system error may mean the connection is gone: connect
                 // afresh next time (the middleman reuses it if it is not).
                 if (err.category() == caf::atom("system"))
                   admin = vigil::admin_actor{};
                 result = reply<T>::failure(explain(err));
               });
    return result;
  }

  /// Finds the chaos controller, then asks it.
  /// Asks the actor "<NODE>/<suffix>" of the first node with `role` that is
  /// up (found through the registry); waits at least `min_wait`.
  template <class T, class Handle, class... Ts>
  reply<T> ask_role(const std::string& role, const std::string& suffix,
                    caf::timespan min_wait, Ts&&... xs) {
    auto nodes = ask<std::vector<vigil::node_info>>(vigil::nodes_atom::value);
    if (!nodes)
      return reply<T>::failure(nodes.error());
    std::string found;
    for (auto& n : *nodes)
      if (n.status == "up" && std::find(n.roles.begin(), n.roles.end(), role) != n.roles.end()) {
        found = n.id;
        break;
      }
    if (found.empty())
      return reply<T>::failure("no " + role + " node is up");
    auto name = found + "/" + suffix;
    auto handle = ask<caf::strong_actor_ptr>(vigil::lookup_atom::value, name);
    if (!handle)
      return reply<T>::failure(handle.error());
    if (!*handle)
      return reply<T>::failure(name + " is not running (is the " + role + " role configured?)");
    auto target = caf::actor_cast<Handle>(*handle);
    auto result = reply<T>::failure("no reply from " + name);
    auto wait = std::max<caf::timespan>(timeout, min_wait);
    self->request(target, wait, std::forward<Ts>(xs)...)
      .receive([&](T& value) { result = reply<T>{std::move(value)}; },
               [&](caf::error& err) { result = reply<T>::failure(explain(err)); });
    return result;
  }

  template <class T, class... Ts>
  reply<T> ask_chaos(Ts&&... xs) {
    // Injecting may take long (starting a database, filling a volume).
    return ask_role<T, vigil::chaos_actor>("chaos", vigil::actor_paths::chaos_controller, std::chrono::minutes(2),
                                           std::forward<Ts>(xs)...);
  }

  endpoint node;
  caf::timespan timeout;
  client_config config;
  caf::actor_system system;
  caf::scoped_actor self;
  vigil::admin_actor admin;
  std::shared_ptr<std::atomic<bool>> admin_gone; ///< Set from a CAF thread.
  bool stuck = false;
};

client::client(endpoint node, std::chrono::nanoseconds timeout)
  : impl_(std::make_unique<impl>(std::move(node), timeout)) {
  // nop
}

client::~client() = default;

std::optional<std::string> client::connect() {
  return impl_->connect();
}

reply<std::vector<vigil::node_info>> client::nodes() {
  return impl_->ask<std::vector<vigil::node_info>>(vigil::nodes_atom::value);
}

reply<std::vector<vigil::tree_node>> client::tree(const std::string& node) {
  return impl_->ask<std::vector<vigil::tree_node>>(vigil::tree_atom::value,
                                                   node);
}

reply<vigil::ping_result> client::ping(const std::string& node) {
  return impl_->ask<vigil::ping_result>(vigil::ping_atom::value, node);
}

reply<vigil::admin_ack> client::kill(const std::string& actor) {
  return impl_->ask<vigil::admin_ack>(vigil::kill_atom::value, actor);
}

reply<vigil::admin_ack> client::stop(const std::string& node) {
  return impl_->ask<vigil::admin_ack>(vigil::stop_atom::value, node);
}

reply<std::vector<vigil::service_status>> client::services(const std::string& node) {
  return impl_->ask<std::vector<vigil::service_status>>(vigil::svc_list_atom::value, node);
}

reply<vigil::service_status> client::service(const std::string& action, const std::string& node,
                                             const std::string& name) {
  using status = vigil::service_status;
  if (action == "start")
    return impl_->ask<status>(vigil::svc_start_atom::value, node, name);
  if (action == "stop")
    return impl_->ask<status>(vigil::svc_stop_atom::value, node, name);
  if (action == "restart")
    return impl_->ask<status>(vigil::svc_restart_atom::value, node, name);
  if (action == "status")
    return impl_->ask<status>(vigil::svc_status_atom::value, node, name);
  return reply<status>::failure("unknown service action '" + action
                                + "' (known: start, stop, restart, status)");
}

reply<std::vector<vigil::fault_kind>> client::chaos_faults() {
  return impl_->ask_chaos<std::vector<vigil::fault_kind>>(vigil::faults_atom::value);
}

reply<vigil::active_fault> client::chaos_inject(const vigil::injection_request& request) {
  return impl_->ask_chaos<vigil::active_fault>(vigil::inject_atom::value, request);
}

reply<std::vector<vigil::active_fault>> client::chaos_active() {
  return impl_->ask_chaos<std::vector<vigil::active_fault>>(vigil::active_atom::value);
}

reply<std::vector<vigil::chaos_event>> client::chaos_stop() {
  return impl_->ask_chaos<std::vector<vigil::chaos_event>>(vigil::killswitch_atom::value);
}

reply<vigil::chaos_event> client::chaos_revert(const std::string& id) {
  return impl_->ask_chaos<vigil::chaos_event>(vigil::revert_atom::value, id);
}

reply<vigil::chaos_schedule>
client::chaos_schedule(const std::optional<vigil::chaos_schedule>& schedule) {
  if (schedule)
    return impl_->ask_chaos<vigil::chaos_schedule>(vigil::schedule_atom::value, *schedule);
  return impl_->ask_chaos<vigil::chaos_schedule>(vigil::schedule_atom::value);
}

reply<std::vector<vigil::chaos_event>> client::chaos_log(uint64_t after) {
  return impl_->ask_chaos<std::vector<vigil::chaos_event>>(vigil::chaos_log_atom::value, after);
}

bool client::connect_stuck() const noexcept {
  return impl_->stuck;
}

std::string client::where() const {
  return impl_->where();
}

reply<std::vector<vigil::service_health>> client::status() {
  return impl_->ask_role<std::vector<vigil::service_health>, vigil::status_board_actor>(
    "control", vigil::actor_paths::status, {}, vigil::status_atom::value);
}

reply<std::vector<vigil::event>> client::events(int64_t since_unix_ms, const std::string& topic,
                                                uint32_t limit) {
  return impl_->ask_role<std::vector<vigil::event>, vigil::event_bus_actor>(
    "control", vigil::actor_paths::bus, {}, vigil::events_atom::value, since_unix_ms, topic, limit);
}

reply<vigil::bus_stats> client::bus_stats() {
  return impl_->ask_role<vigil::bus_stats, vigil::event_bus_actor>("control", vigil::actor_paths::bus, {},
                                                                   vigil::stats_atom::value);
}

reply<std::vector<vigil::probe_result>> client::probes() {
  return impl_->ask_role<std::vector<vigil::probe_result>, vigil::probe_manager_actor>(
    "probe", vigil::actor_paths::probe_manager, {}, vigil::probes_atom::value);
}

reply<std::vector<vigil::sli_snapshot>> client::slis() {
  return impl_->ask_role<std::vector<vigil::sli_snapshot>, vigil::traffic_actor>(
    "probe", vigil::actor_paths::traffic, {}, vigil::sli_atom::value);
}

reply<std::vector<vigil::metric_sample>> client::metrics(const std::string& service) {
  return impl_->ask_role<std::vector<vigil::metric_sample>, vigil::probe_manager_actor>(
    "probe", vigil::actor_paths::probe_manager, {}, vigil::metrics_atom::value, service);
}

reply<std::vector<std::string>> client::acked_orders() {
  return impl_->ask_role<std::vector<std::string>, vigil::traffic_actor>(
    "probe", vigil::actor_paths::traffic, {}, vigil::acked_atom::value);
}

reply<std::vector<vigil::knowledge_hit>> client::search_knowledge(const std::string& text,
                                                                  uint32_t limit) {
  return impl_->ask_role<std::vector<vigil::knowledge_hit>, vigil::knowledge_actor>(
    "control", vigil::actor_paths::knowledge, {}, vigil::search_atom::value, text, limit);
}

reply<vigil::knowledge_doc> client::knowledge_doc(const std::string& id) {
  return impl_->ask_role<vigil::knowledge_doc, vigil::knowledge_actor>(
    "control", vigil::actor_paths::knowledge, {}, vigil::runbook_atom::value, id);
}

reply<std::vector<vigil::incident>> client::incidents(bool open_only, uint32_t limit) {
  return impl_->ask_role<std::vector<vigil::incident>, vigil::incidents_actor>(
    "control", vigil::actor_paths::incidents, {}, vigil::incidents_atom::value, open_only, limit);
}

reply<vigil::incident> client::incident(const std::string& id) {
  return impl_->ask_role<vigil::incident, vigil::incidents_actor>(
    "control", vigil::actor_paths::incidents, {}, vigil::incident_atom::value, id);
}

reply<bool> client::pause_agents(bool pause) {
  return impl_->ask_role<bool, vigil::incidents_actor>("control", vigil::actor_paths::incidents, {},
                                                       vigil::pause_atom::value, pause);
}

reply<std::vector<vigil::approval>> client::approvals(bool pending_only) {
  return impl_->ask_role<std::vector<vigil::approval>, vigil::safety_actor>(
    "control", vigil::actor_paths::safety, {}, vigil::approvals_atom::value, pending_only);
}

reply<vigil::approval> client::decide(const std::string& id, bool approve,
                                      const std::string& who, const std::string& reason) {
  return impl_->ask_role<vigil::approval, vigil::safety_actor>(
    "control", vigil::actor_paths::safety, {}, vigil::decide_atom::value, id, approve, who, reason);
}

reply<std::vector<vigil::signal_value>> client::signals() {
  return impl_->ask_role<std::vector<vigil::signal_value>, vigil::perception_actor>(
    "control", vigil::actor_paths::perception, {}, vigil::signals_atom::value);
}

reply<std::vector<vigil::hypothesis>> client::diagnose(const vigil::incident& inc) {
  return impl_->ask_role<std::vector<vigil::hypothesis>, vigil::diagnosis_actor>(
    "control", vigil::actor_paths::diagnosis, std::chrono::seconds(15), vigil::diagnose_atom::value,
    inc);
}

reply<std::vector<vigil::tool_info>> client::action_tools() {
  return impl_->ask_role<std::vector<vigil::tool_info>, vigil::action_plane_actor>(
    "action", vigil::actor_paths::action_plane, {}, vigil::tools_atom::value);
}

reply<vigil::action_result> client::act(const vigil::action_request& request) {
  return impl_->ask_role<vigil::action_result, vigil::action_plane_actor>(
    "action", vigil::actor_paths::action_plane, std::chrono::minutes(2), vigil::act_atom::value, request);
}

reply<std::vector<vigil::audit_record>> client::audit(const std::string& incident,
                                                      uint32_t limit) {
  return impl_->ask_role<std::vector<vigil::audit_record>, vigil::action_plane_actor>(
    "action", vigil::actor_paths::action_plane, {}, vigil::audit_atom::value, incident, limit);
}

} // namespace vigilctl
