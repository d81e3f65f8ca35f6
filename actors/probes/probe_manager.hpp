// The probe manager ("<node>/probe/manager"): the latest result of each probe
// and the series of each scraped service, for vigilctl and the agents. It
// exports them as Prometheus metrics and publishes them as events.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>

#include "messages/observability.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::probes {

struct manager_settings {
  std::string node_id;
  /// Where "<node>/events" (the event relay) is found; may be null.
  std::shared_ptr<supervision::name_directory> directory;
  /// Unchanged results are published again after this long.
  uint32_t publish_every_ms = 5000;
};

/// Implements probe_manager_actor, and takes (report_atom, probe_result) and
/// (report_atom, service, samples) from the probes (see probe_actor.hpp).
caf::actor spawn_probe_manager(caf::actor_system& sys, manager_settings settings);

supervision::child_spec probe_manager_child(manager_settings settings);

} // namespace vigil::probes
