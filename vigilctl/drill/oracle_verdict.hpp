// The outside oracle's judgement of one fault, from what a customer-like
// client saw (oracle_client.hpp): was it served all along, or hurt and
// served again for long enough to count as restored? Pure: the campaign
// gathers the ticks, this judges them (tests/drill/scorecard_test.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigilctl::drill {

/// One visit of the client: when it started and whether it was served
/// (the catalogue and an order both answered 2xx).
struct oracle_tick {
  int64_t at_unix_ms = 0;
  bool served = false;
};

enum class oracle_state {
  unaffected,   ///< Served at every visit since the inject.
  restored,     ///< Not served at some visit, then served for the whole hold.
  not_restored, ///< Not served, and not served long enough again (yet).
};

std::string to_string(oracle_state x);
/// Throws std::invalid_argument for a word that names no state.
oracle_state parse_oracle_state(const std::string& word);

struct oracle_verdict {
  oracle_state state = oracle_state::unaffected;
  int64_t impact_unix_ms = 0;   ///< The first visit not served; 0: none.
  int64_t restored_unix_ms = 0; ///< The first served visit after the last one not served.
};

/// Judges the visits in [from, until]: restored needs the client served
/// from the first good visit after the last bad one until `until`, at least
/// `hold_ms` later, and still visiting at the end. A silence longer than
/// `max_gap_ms` proves nothing: the served stretch starts again after it.
oracle_verdict judge_client(const std::vector<oracle_tick>& ticks, int64_t from, int64_t until,
                            int64_t hold_ms, int64_t max_gap_ms);

} // namespace vigilctl::drill
