// The JSON form of the action protocol: the action REST API's bodies, the
// audit log's rows and `vigilctl --json` print the same fields, named as in
// the structs. Reading fills missing fields with their defaults.
#pragma once

#include <nlohmann/json.hpp>

#include "messages/actions.hpp"

namespace vigil {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(action_request, tool, args, idempotency_key,
                                                incident, requested_by, approved_by)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(action_result, idempotency_key, tool, status,
                                                detail, output, started_unix_ms,
                                                finished_unix_ms, repeated)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(tool_info, name, risk, summary, args)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(audit_record, seq, phase, idempotency_key, tool,
                                                args, incident, requested_by, approved_by,
                                                status, detail, at_unix_ms)

} // namespace vigil
