// One supervised actor per probe ("<node>/probe/probes/<name>"). It runs on a
// thread of its own (detached): checks block on sockets and files, and must
// neither stall the shared scheduler nor wait for each other.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>

#include "config/probes_config.hpp"
#include "messages/observability.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::probes {

/// Local only (never crosses nodes): a probe's next check is due.
using probe_tick_atom = caf::atom_constant<caf::atom("prb_tick")>;
/// Local only: a probe tells its manager a result, or a metrics probe the
/// series it scraped: (report, probe_result) or (report, service, samples).
using report_atom = caf::atom_constant<caf::atom("prb_report")>;

/// Finds the manager now (it gets a new handle when restarted).
using manager_lookup = std::function<caf::actor()>;

/// The child spec of the probe `cfg`; the probe is built at each start, so
/// a probe that cannot be built fails its start.
supervision::child_spec probe_actor_child(probe_config cfg, manager_lookup manager);

/// Spawns a probe actor outside a supervisor (tests, the bench).
caf::actor spawn_probe_actor(caf::actor_system& sys, probe_config cfg, manager_lookup manager);

} // namespace vigil::probes
