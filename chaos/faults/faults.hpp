// Every fault kind of the catalogue, one file each.
#pragma once

#include <vector>

#include "chaos/fault.hpp"
#include "chaos/fault_context.hpp"

namespace vigil::chaos {

/// Shares the catalogue entry and the context; subclasses break things.
class basic_fault : public fault {
public:
  basic_fault(fault_kind kind, const fault_context& ctx) : kind_(std::move(kind)), ctx_(ctx) {
    // nop
  }
  const fault_kind& kind() const override { return kind_; }

protected:
  fault_kind kind_;
  const fault_context& ctx_;
};

/// A catalogue entry.
/// A catalogue entry. `fixes`: the steps a reviewing SRE would accept as the
/// fix (the drill campaign approves only those and counts the rest as harm).
fault_kind make_kind(std::string name, std::string label, std::string risk, std::string target,
                     std::string description, std::string revert, bool outlives,
                     uint32_t default_duration_s, std::vector<fault_param> params,
                     std::vector<fault_fix> fixes);

fault_ptr make_crash(const fault_context& ctx);
fault_ptr make_oom(const fault_context& ctx);
fault_ptr make_db_auth(const fault_context& ctx);
fault_ptr make_disk_full(const fault_context& ctx);
fault_ptr make_db_down(const fault_context& ctx);
fault_ptr make_conn_exhaust(const fault_context& ctx);
fault_ptr make_lock(const fault_context& ctx);
fault_ptr make_latency(const fault_context& ctx);
fault_ptr make_upstream_down(const fault_context& ctx);
fault_ptr make_cache_poison(const fault_context& ctx);
fault_ptr make_bad_config(const fault_context& ctx);
fault_ptr make_schema_drift(const fault_context& ctx);
fault_ptr make_data_loss(const fault_context& ctx);
fault_ptr make_cpu_hog(const fault_context& ctx);
fault_ptr make_actor_kill(const fault_context& ctx);
fault_ptr make_node_kill(const fault_context& ctx);

/// The whole catalogue, in the documented order.
std::vector<fault_ptr> make_catalogue(const fault_context& ctx);

} // namespace vigil::chaos
