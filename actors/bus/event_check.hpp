// What the bus accepts: the one gate for events coming from any node, so
// that a bad publisher cannot fill the ring or the ops store with junk.
#pragma once

#include <optional>
#include <string>

#include "messages/observability.hpp"

namespace vigil::bus {

/// Largest payload accepted, in bytes of JSON text.
constexpr size_t max_payload_bytes = 256 * 1024;

/// Checks `e` and normalises it in place (defaults, cleaned text, a long
/// summary cut, a payload that is not a JSON object wrapped). Returns why it
/// is refused, or nullopt when it is fine.
std::optional<std::string> check_event(event& e);

} // namespace vigil::bus
