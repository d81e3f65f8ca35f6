// The action node's REST API ("<node>/action/api"), bearer token and a
// per-client rate limit: GET /v1/tools, POST /v1/actions, GET /v1/audit.
// It only translates requests into messages to the plane, so the API gets
// exactly the plane's checks (policy, idempotency, audit).
#pragma once

#include "actors/actions/action_context.hpp"
#include "supervision/child_spec.hpp"

namespace vigil::actions {

/// A child spec "api" serving on the actions file's api.listen with the
/// token in api.token_file; its start fails (saying why) on a missing or
/// short token or a busy port.
supervision::child_spec rest_api_child(action_context ctx);

/// The HTTP status of a plane error (action_error; anything else: 503).
int http_status_of(const caf::error& err);

} // namespace vigil::actions
