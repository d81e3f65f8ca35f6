// The CAF side of vigilctl: a client node holding one connection to a node's
// admin actor, and one typed request per admin command.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "messages/actions.hpp"
#include "messages/admin.hpp"
#include "messages/chaos.hpp"
#include "messages/incidents.hpp"
#include "messages/observability.hpp"
#include "vigilctl/endpoint.hpp"

namespace vigilctl {

/// A reply, or why there is none in words fit for stderr.
template <class T>
class reply {
public:
  reply(T value) : value_(std::move(value)) {
    // nop
  }

  static reply failure(std::string why) {
    reply result;
    result.error_ = std::move(why);
    return result;
  }

  explicit operator bool() const noexcept {
    return value_.has_value();
  }

  const T& operator*() const {
    return *value_;
  }

  const std::string& error() const noexcept {
    return error_;
  }

private:
  reply() = default;

  std::optional<T> value_;
  std::string error_;
};

/// Talks to the admin actor published at one node. Connects on first use and
/// reuses the connection; reconnects on the next request once it is lost.
class client {
public:
  client(endpoint node, std::chrono::nanoseconds timeout);
  ~client();

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Connects now instead of at the first request; returns the error if any.
  std::optional<std::string> connect();

  reply<std::vector<vigil::node_info>> nodes();

  /// Trees of `node`, or of every node when `node` is empty.
  reply<std::vector<vigil::tree_node>> tree(const std::string& node);

  reply<vigil::ping_result> ping(const std::string& node);

  reply<vigil::admin_ack> kill(const std::string& actor);

  reply<vigil::admin_ack> stop(const std::string& node);

  /// Services of `node`'s service manager, or of the action node when empty.
  reply<std::vector<vigil::service_status>> services(const std::string& node);

  /// `action` (start, stop, restart, status) on service `name` of `node`
  /// (the action node when empty).
  reply<vigil::service_status> service(const std::string& action, const std::string& node,
                                       const std::string& name);

  /// The chaos controller of the first chaos node that is up (through the
  /// registry); injects may take long, so these wait at least two minutes.
  reply<std::vector<vigil::fault_kind>> chaos_faults();
  reply<vigil::active_fault> chaos_inject(const vigil::injection_request& request);
  reply<std::vector<vigil::active_fault>> chaos_active();
  reply<std::vector<vigil::chaos_event>> chaos_stop();
  /// Reverts one active fault by its injection id.
  reply<vigil::chaos_event> chaos_revert(const std::string& id);
  /// Sets the schedule, or reads it when `schedule` is empty.
  reply<vigil::chaos_schedule> chaos_schedule(const std::optional<vigil::chaos_schedule>& schedule);
  reply<std::vector<vigil::chaos_event>> chaos_log(uint64_t after);

  /// Observability, from the first control node that is up ("control/bus",
  /// "control/status", "control/knowledge") or the first probe node that is
  /// up ("probe/manager", "probe/traffic").
  reply<std::vector<vigil::service_health>> status();
  reply<std::vector<vigil::event>> events(int64_t since_unix_ms, const std::string& topic,
                                          uint32_t limit);
  reply<vigil::bus_stats> bus_stats();
  reply<std::vector<vigil::probe_result>> probes();
  reply<std::vector<vigil::sli_snapshot>> slis();
  reply<std::vector<vigil::metric_sample>> metrics(const std::string& service);
  reply<std::vector<std::string>> acked_orders();
  reply<std::vector<vigil::knowledge_hit>> search_knowledge(const std::string& text,
                                                            uint32_t limit);
  reply<vigil::knowledge_doc> knowledge_doc(const std::string& id);

  /// Incidents and approvals, from the first control node that is up
  /// ("control/incidents", "control/agents/safety", "control/agents/perception").
  reply<std::vector<vigil::incident>> incidents(bool open_only, uint32_t limit);
  reply<vigil::incident> incident(const std::string& id);
  /// Pauses (true) or resumes the agents' acting; answers whether paused.
  reply<bool> pause_agents(bool pause);
  reply<std::vector<vigil::approval>> approvals(bool pending_only);
  /// Approves (true) or rejects approval `id` as `who` ("human:alice").
  reply<vigil::approval> decide(const std::string& id, bool approve, const std::string& who,
                                const std::string& reason);
  reply<std::vector<vigil::signal_value>> signals();
  /// Diagnosis ("control/agents/diagnosis") of `inc` against the signals now.
  reply<std::vector<vigil::hypothesis>> diagnose(const vigil::incident& inc);
  /// The action plane of the first action node that is up ("action/plane");
  /// a tool may take long, so `act` waits at least two minutes.
  reply<std::vector<vigil::tool_info>> action_tools();
  reply<vigil::action_result> act(const vigil::action_request& request);
  reply<std::vector<vigil::audit_record>> audit(const std::string& incident, uint32_t limit);
  /// True once a connection attempt outlived the timeout. CAF's middleman
  /// then may sit in a blocking connect() that shutting down the actor system
  /// waits for (minutes, for a silent host).
  bool connect_stuck() const noexcept;

  /// The node this client talks to, as HOST:PORT.
  std::string where() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_; // Keeps CAF's heavy headers out of the callers.
};

} // namespace vigilctl
