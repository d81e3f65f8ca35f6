// GET /readyz: can this shopd serve orders now? Checks the database, the
// receipts disk and the pricing upstream, and reports each.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stack/shopd/connection_pool.hpp"
#include "stack/shopd/upstream_client.hpp"

namespace vigil::shop {

struct readiness_report {
  bool ready = false;
  nlohmann::json body; ///< {"ready", "db": {...}, "disk": {...}, "upstream": {...}}
};

/// Receipts need room; below this the disk counts as full.
constexpr uint64_t min_free_disk_bytes = 1 << 20;

/// Runs the three checks (the upstream one concurrently with the others).
readiness_report check_readiness(connection_pool& pool, upstream_client& upstream,
                                 const std::string& receipts_dir);

} // namespace vigil::shop
