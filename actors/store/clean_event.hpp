// What makes an event storable: Postgres text holds neither NUL bytes nor
// invalid UTF-8, and jsonb wants a JSON object. Cleaning never fails; it
// replaces what Postgres would refuse, so one bad event cannot block a batch.
#pragma once

#include <string>

#include "messages/observability.hpp"

namespace vigil::store {

/// Invalid UTF-8 becomes U+FFFD, NUL bytes are removed.
std::string clean_text(const std::string& text);

/// A JSON object text for jsonb: `payload` itself when it is a clean object,
/// else {"invalid_payload": <its first KiB as text>}.
std::string clean_payload(const std::string& payload);

/// Every field cleaned (payload as clean_payload()).
event clean_event(event e);

} // namespace vigil::store
