// Finds live actors by their supervision path. Restarts give new handles, so
// nothing should keep an old one: look it up here when needed.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>

namespace vigil::supervision {

class name_directory {
public:
  void put(const std::string& path, caf::actor handle);
  /// Removes `path` only while it still maps to `handle` (a newer child wins).
  void erase(const std::string& path, const caf::actor& handle);
  caf::actor get(const std::string& path) const;
  std::vector<std::pair<std::string, caf::actor>> entries() const;
  /// Grows with every change, so watchers can tell when to re-register.
  uint64_t version() const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, caf::actor> entries_;
  uint64_t version_ = 0;
};

} // namespace vigil::supervision
