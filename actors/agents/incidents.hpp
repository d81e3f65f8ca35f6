// The incident coordinator ("<node>/control/incidents"): takes the problems
// perception reports, keeps one incident per problem, and drives each one
// through diagnosis, planning, the safety gate, the action plane and the
// verifier until it is resolved or escalated. Every transition is written to
// the ops store first, so a restarted coordinator resumes where it was and
// never repeats a step (docs/AGENTS.md, "Coordinator" and "Durability").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "actors/agents/agents_context.hpp"
#include "messages/incidents.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::agents {

struct coordinator_settings {
  /// A problem merges into an open incident that shares a service with it
  /// or that was opened less than this ago (one outage, several symptoms).
  caf::timespan merge_window = std::chrono::seconds(60);
  /// Symptoms arrive over a second or two (a crash: the port first, the exit
  /// state next): the first diagnosis waits this long after the incident opened.
  caf::timespan diagnose_settle = std::chrono::milliseconds(2500);
  /// An "unknown" diagnosis is asked again (every retry_delay) while the
  /// incident is younger than this; only then does it escalate.
  caf::timespan diagnose_for = std::chrono::seconds(20);
  /// After a failed request (agent gone, timeout), try again after this.
  caf::timespan retry_delay = std::chrono::seconds(2);
  /// This many failed requests in a row for one incident: escalate.
  uint32_t max_attempts = 30;
  /// Diagnosis, planner, narrator, registry.
  caf::timespan ask_timeout = std::chrono::seconds(60);
  /// One tool run (starting a database may take a minute).
  caf::timespan act_timeout = std::chrono::minutes(3);
  /// Added to the policy's approval timeout and to the verifier's budget.
  caf::timespan margin = std::chrono::seconds(30);
  /// How often it samples the status board for the pre-incident baseline,
  /// writes what the ops store missed and retries loading it.
  caf::timespan tick = std::chrono::seconds(5);
  /// Closed incidents kept in memory (the ops store keeps all).
  size_t keep_closed = 200;
};

incidents_actor spawn_coordinator(caf::actor_system& sys, const agents_context& ctx,
                                  coordinator_settings settings = {});

/// The child "incidents" of the control subtree.
supervision::child_spec coordinator_child(const agents_context& ctx);

} // namespace vigil::agents
