// Equality (for round-trip tests) and error names of the action protocol.
#include "messages/actions.hpp"

#include <tuple>

namespace vigil {

namespace {

auto fields(const action_request& x) {
  return std::tie(x.tool, x.args, x.idempotency_key, x.incident, x.requested_by, x.approved_by);
}

auto fields(const action_result& x) {
  return std::tie(x.idempotency_key, x.tool, x.status, x.detail, x.output, x.started_unix_ms,
                  x.finished_unix_ms, x.repeated);
}

auto fields(const tool_info& x) {
  return std::tie(x.name, x.risk, x.summary, x.args);
}

auto fields(const audit_record& x) {
  return std::tie(x.seq, x.phase, x.idempotency_key, x.tool, x.args, x.incident,
                  x.requested_by, x.approved_by, x.status, x.detail, x.at_unix_ms);
}

} // namespace

bool operator==(const action_request& x, const action_request& y) {
  return fields(x) == fields(y);
}

bool operator==(const action_result& x, const action_result& y) {
  return fields(x) == fields(y);
}

bool operator==(const tool_info& x, const tool_info& y) {
  return fields(x) == fields(y);
}

bool operator==(const audit_record& x, const audit_record& y) {
  return fields(x) == fields(y);
}

std::string to_string(action_error x) {
  switch (x) {
    case action_error::none: return "none";
    case action_error::unknown_tool: return "unknown_tool";
    case action_error::bad_args: return "bad_args";
    case action_error::not_allowed: return "not_allowed";
    case action_error::needs_approval: return "needs_approval";
    case action_error::rate_limited: return "rate_limited";
    case action_error::restart_intensity: return "restart_intensity";
    case action_error::busy: return "busy";
    case action_error::store_unavailable: return "store_unavailable";
    case action_error::unauthorized: return "unauthorized";
  }
  return "unknown";
}

} // namespace vigil
