#include "actors/probes/probe_role.hpp"

#include "actors/probes/probe_actor.hpp"
#include "actors/probes/probe_manager.hpp"
#include "config/probes_config.hpp"
#include "supervision/supervisor_spec.hpp"

namespace vigil::probes {

std::vector<supervision::child_spec>
probe_children(const std::string& node_id, const std::string& probes_file,
               std::shared_ptr<supervision::name_directory> directory) {
  auto cfg = load_probes_config(probes_file);
  auto manager_path = node_id + "/probe/manager";
  manager_lookup manager = [directory, manager_path] { return directory->get(manager_path); };
  supervision::supervisor_spec probes;
  // A probe failing a lot (a bug, not a broken target: targets fail inside
  // results) may restart often before its supervisor gives up.
  probes.intensity = 20;
  probes.period = std::chrono::seconds(10);
  probes.directory = directory;
  probes.backoff = supervision::backoff_policy{std::chrono::milliseconds(10),
                                               std::chrono::seconds(2), 0.2,
                                               std::chrono::seconds(30)};
  for (auto& p : cfg.probes)
    probes.children.push_back(probe_actor_child(p, manager));
  return {probe_manager_child({node_id, directory, cfg.publish_every_ms}),
          supervision::supervisor_child("probes", std::move(probes))};
}

} // namespace vigil::probes
