// JSON responses for handlers that already use nlohmann::json.
#pragma once

#include <nlohmann/json.hpp>

#include "http/server.hpp"

namespace vigil::http {

/// `body` serialized with `status`; invalid UTF-8 is replaced, never thrown.
inline response json_response(const nlohmann::json& body, int status = 200) {
  response res;
  res.status = status;
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

} // namespace vigil::http
