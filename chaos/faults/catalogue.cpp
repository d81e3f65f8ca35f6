#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

fault_kind make_kind(std::string name, std::string label, std::string risk, std::string target,
                     std::string description, std::string revert, bool outlives,
                     uint32_t default_duration_s, std::vector<fault_param> params,
                     std::vector<fault_fix> fixes) {
  fault_kind k;
  k.name = std::move(name);
  k.label = std::move(label);
  k.risk = std::move(risk);
  k.target = std::move(target);
  k.description = std::move(description);
  k.revert = std::move(revert);
  k.outlives = outlives;
  k.default_duration_s = default_duration_s;
  k.params = std::move(params);
  k.fixes = std::move(fixes);
  return k;
}

std::vector<fault_ptr> make_catalogue(const fault_context& ctx) {
  std::vector<fault_ptr> all;
  for (auto make : {make_crash, make_oom, make_db_auth, make_disk_full, make_db_down,
                    make_conn_exhaust, make_lock, make_latency, make_upstream_down,
                    make_cache_poison, make_bad_config, make_schema_drift, make_data_loss,
                    make_cpu_hog, make_actor_kill, make_node_kill})
    all.push_back(make(ctx));
  return all;
}

} // namespace vigil::chaos
