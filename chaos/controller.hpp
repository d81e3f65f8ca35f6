// The chaos controller: the one door to the faults. It guards every inject
// (sandbox, approval, how many at once), reverts when time is up, runs the
// kill switch and the monkey, and keeps the chaos log.
#pragma once

#include <memory>
#include <string>

#include "chaos/fault_context.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::chaos {

/// A child spec "controller"; it finds the fault actors by name under
/// `faults_path` ("<node>/chaos/faults/<kind>") in `directory`.
supervision::child_spec controller_child(std::shared_ptr<const fault_context> ctx,
                                         std::shared_ptr<supervision::name_directory> directory,
                                         std::string faults_path);

} // namespace vigil::chaos
