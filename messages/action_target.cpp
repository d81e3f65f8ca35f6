#include "messages/action_target.hpp"

namespace vigil {

std::string action_target(const nlohmann::json& args) {
  if (!args.is_object())
    return {};
  for (auto key : {"service", "role", "database", "node", "actor", "table", "upstream", "path",
                   "target"}) {
    auto i = args.find(key);
    if (i != args.end() && i->is_string())
      return i->get<std::string>();
  }
  return {};
}

} // namespace vigil
