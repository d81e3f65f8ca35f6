// Reading events back from the ops store (for `events` queries older than
// the bus's memory, and for tests). Blocking: call it off the actor threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/observability.hpp"

namespace vigil::store {

/// The last `limit` events at or after `since_unix_ms` whose topic starts
/// with `topic_prefix`, oldest first (in the order they were stored).
/// Throws std::runtime_error when the store cannot be asked.
std::vector<event> query_events(const std::string& dsn, int64_t since_unix_ms,
                                const std::string& topic_prefix, uint32_t limit);

} // namespace vigil::store
