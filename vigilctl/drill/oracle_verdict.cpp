#include "vigilctl/drill/oracle_verdict.hpp"

#include <stdexcept>

namespace vigilctl::drill {

std::string to_string(oracle_state x) {
  switch (x) {
    case oracle_state::unaffected:
      return "unaffected";
    case oracle_state::restored:
      return "restored";
    case oracle_state::not_restored:
      return "not_restored";
  }
  return "not_restored";
}

oracle_state parse_oracle_state(const std::string& word) {
  for (auto x : {oracle_state::unaffected, oracle_state::restored, oracle_state::not_restored})
    if (to_string(x) == word)
      return x;
  throw std::invalid_argument("unknown oracle state '" + word + "'");
}

oracle_verdict judge_client(const std::vector<oracle_tick>& ticks, int64_t from, int64_t until,
                            int64_t hold_ms, int64_t max_gap_ms) {
  oracle_verdict v;
  int64_t last_bad = 0;
  int64_t previous = from;
  size_t seen = 0;
  for (auto& t : ticks) {
    if (t.at_unix_ms < from || t.at_unix_ms > until)
      continue;
    ++seen;
    if (!t.served) {
      if (v.impact_unix_ms == 0)
        v.impact_unix_ms = t.at_unix_ms;
      last_bad = t.at_unix_ms;
      v.restored_unix_ms = 0;
    } else if (last_bad != 0
               && (v.restored_unix_ms == 0 || t.at_unix_ms - previous > max_gap_ms)) {
      // Served again; after a silence, only from when it was seen again.
      v.restored_unix_ms = t.at_unix_ms;
    }
    previous = t.at_unix_ms;
  }
  if (seen == 0) {
    // No visit at all: nothing says the client was served.
    v.state = oracle_state::not_restored;
    return v;
  }
  if (v.impact_unix_ms == 0) {
    v.state = oracle_state::unaffected;
    return v;
  }
  bool held = v.restored_unix_ms != 0 && until - v.restored_unix_ms >= hold_ms
              && until - previous <= max_gap_ms;
  v.state = held ? oracle_state::restored : oracle_state::not_restored;
  if (!held)
    v.restored_unix_ms = 0;
  return v;
}

} // namespace vigilctl::drill
