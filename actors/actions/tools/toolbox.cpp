#include "actors/actions/tools/tools.hpp"

namespace vigil::actions {

std::vector<tool_ptr> make_toolbox(const actions_config& cfg) {
  std::vector<tool_ptr> result;
  // Each tool adds itself here as it is built, in the order of tools.hpp.
  static_cast<void>(cfg);
  return result;
}

} // namespace vigil::actions
