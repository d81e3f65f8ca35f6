// What every actor of one node process shares: its config, its name
// directory, and the registry it joined.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "config/node_config.hpp"
#include "messages/registry.hpp"
#include "supervision/name_directory.hpp"

namespace vigil {

class node_context {
public:
  node_context(node_config config, int64_t started_unix_ms)
    : config(std::move(config)),
      started_unix_ms(started_unix_ms),
      directory(std::make_shared<supervision::name_directory>()) {
    // nop
  }

  const node_config config;
  const int64_t started_unix_ms;
  const std::shared_ptr<supervision::name_directory> directory;

  /// Supervision path of one of this node's actors, e.g. path("admin").
  std::string path(const std::string& suffix) const { return config.id + "/" + suffix; }

  /// The registry this node is registered with, or an invalid handle.
  registry_actor registry() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return registry_;
  }

  void set_registry(registry_actor registry) {
    std::lock_guard<std::mutex> guard{mtx_};
    registry_ = std::move(registry);
  }

private:
  mutable std::mutex mtx_;
  registry_actor registry_;
};

using node_context_ptr = std::shared_ptr<node_context>;

} // namespace vigil
