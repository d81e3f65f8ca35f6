// The registry of service backends by name; config picks one.
#include "actors/services/service_backend.hpp"

#include <map>
#include <mutex>

#include "actors/services/exec_backend.hpp"

namespace vigil::services {

service_backend::~service_backend() {
  // nop
}

namespace {

struct backend_registry {
  std::mutex mtx;
  std::map<std::string, backend_factory> factories{
    {"exec", [](const services_config& cfg) { return std::make_unique<exec_backend>(cfg); }},
  };
};

backend_registry& registry() {
  static backend_registry instance;
  return instance;
}

} // namespace

void register_service_backend(const std::string& name, backend_factory factory) {
  auto& reg = registry();
  std::lock_guard<std::mutex> guard{reg.mtx};
  reg.factories[name] = std::move(factory);
}

std::unique_ptr<service_backend> make_service_backend(const services_config& cfg) {
  backend_factory factory;
  {
    auto& reg = registry();
    std::lock_guard<std::mutex> guard{reg.mtx};
    auto i = reg.factories.find(cfg.backend);
    if (i == reg.factories.end())
      throw backend_failure("unknown service backend '" + cfg.backend + "'");
    factory = i->second;
  }
  return factory(cfg);
}

} // namespace vigil::services
