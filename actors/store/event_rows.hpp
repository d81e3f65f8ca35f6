// The SQL of the writer: one multi-row INSERT per batch into events, and the
// samples of "sample.*" events into metric_samples, both ON CONFLICT DO
// NOTHING so that a replayed batch adds nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/transaction_base>

#include "messages/observability.hpp"

namespace vigil::store {

/// Inserts `events` (already cleaned) in their order; returns how many were
/// new. Throws what libpqxx throws.
uint64_t insert_events(pqxx::transaction_base& tx, const std::vector<event>& events);

/// The samples of one "sample.*" event's payload:
/// {"service": "...", "samples": [{"series": "...", "value": 1.5, "at": ms}]}.
/// Entries without a series or a numeric value are skipped; "at" defaults
/// to the event's time.
struct sample_row {
  std::string service;
  std::string series;
  double value = 0;
  int64_t at_unix_ms = 0;
};
std::vector<sample_row> samples_of(const event& e);

/// Deletes events older than `event_hours` and samples older than
/// `sample_hours`; returns the rows deleted.
uint64_t delete_expired(pqxx::transaction_base& tx, uint32_t event_hours, uint32_t sample_hours);

} // namespace vigil::store
