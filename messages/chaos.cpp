// Equality (for the wire test) and error names of the chaos protocol.
#include "messages/chaos.hpp"

namespace vigil {

bool operator==(const fault_param& x, const fault_param& y) {
  return x.name == y.name && x.type == y.type && x.min == y.min && x.max == y.max
         && x.choices == y.choices && x.default_value == y.default_value && x.help == y.help;
}

bool operator==(const fault_fix& x, const fault_fix& y) {
  return x.tool == y.tool && x.target == y.target;
}

bool operator==(const fault_kind& x, const fault_kind& y) {
  return x.name == y.name && x.label == y.label && x.risk == y.risk && x.target == y.target
         && x.description == y.description && x.revert == y.revert && x.outlives == y.outlives
         && x.default_duration_s == y.default_duration_s && x.params == y.params
         && x.fixes == y.fixes;
}

bool operator==(const injection_request& x, const injection_request& y) {
  return x.fault == y.fault && x.params_json == y.params_json && x.duration_s == y.duration_s
         && x.approved == y.approved && x.requested_by == y.requested_by;
}

bool operator==(const active_fault& x, const active_fault& y) {
  return x.id == y.id && x.fault == y.fault && x.label == y.label && x.target == y.target
         && x.params_json == y.params_json && x.requested_by == y.requested_by
         && x.injected_unix_ms == y.injected_unix_ms && x.expires_unix_ms == y.expires_unix_ms
         && x.detail == y.detail;
}

bool operator==(const chaos_event& x, const chaos_event& y) {
  return x.seq == y.seq && x.injection_id == y.injection_id && x.fault == y.fault
         && x.label == y.label && x.phase == y.phase && x.params_json == y.params_json
         && x.requested_by == y.requested_by && x.unix_ms == y.unix_ms && x.detail == y.detail;
}

bool operator==(const chaos_schedule& x, const chaos_schedule& y) {
  return x.on == y.on && x.mean_interval_s == y.mean_interval_s && x.faults == y.faults
         && x.max_concurrent == y.max_concurrent && x.min_duration_s == y.min_duration_s
         && x.max_duration_s == y.max_duration_s && x.seed == y.seed;
}

std::string to_string(chaos_error x) {
  switch (x) {
    case chaos_error::none: return "none";
    case chaos_error::unknown_fault: return "unknown_fault";
    case chaos_error::bad_params: return "bad_params";
    case chaos_error::not_sandbox: return "not_sandbox";
    case chaos_error::needs_approval: return "needs_approval";
    case chaos_error::too_many_active: return "too_many_active";
    case chaos_error::already_active: return "already_active";
    case chaos_error::inject_failed: return "inject_failed";
    case chaos_error::revert_failed: return "revert_failed";
    case chaos_error::unknown_injection: return "unknown_injection";
  }
  return "unknown";
}

} // namespace vigil
