#include "supervision/name_directory.hpp"

namespace vigil::supervision {

void name_directory::put(const std::string& path, caf::actor handle) {
  std::lock_guard<std::mutex> guard{mtx_};
  entries_[path] = std::move(handle);
  ++version_;
}

void name_directory::erase(const std::string& path, const caf::actor& handle) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = entries_.find(path);
  if (i != entries_.end() && i->second == handle) {
    entries_.erase(i);
    ++version_;
  }
}

caf::actor name_directory::get(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = entries_.find(path);
  return i != entries_.end() ? i->second : caf::actor{};
}

std::vector<std::pair<std::string, caf::actor>> name_directory::entries() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return {entries_.begin(), entries_.end()};
}

uint64_t name_directory::version() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return version_;
}

} // namespace vigil::supervision
