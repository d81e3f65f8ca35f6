// The probe role's children from the probes file: the manager, then a
// supervisor of one actor per probe ("<node>/probe/probes/<name>"), so a
// probe that keeps failing gives up alone instead of taking the role down.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::probes {

/// Throws vigil::config_error when the probes file is bad.
std::vector<supervision::child_spec>
probe_children(const std::string& node_id, const std::string& probes_file,
               std::shared_ptr<supervision::name_directory> directory);

} // namespace vigil::probes
