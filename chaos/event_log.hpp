// The chaos log: every inject and revert with its label, kept in memory for
// queries and appended to a JSON-lines file that outlives the node.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/chaos.hpp"

namespace vigil::chaos {

class event_log {
public:
  /// `file` may be empty (memory only); its folder is created.
  explicit event_log(std::string file);

  /// Stamps `event` with the next sequence number and the time, keeps it,
  /// appends it to the file and returns it.
  chaos_event append(chaos_event event);

  /// Events with a sequence number above `after`.
  std::vector<chaos_event> since(uint64_t after) const;

  static nlohmann::json to_json(const chaos_event& e);

private:
  std::string file_;
  uint64_t next_seq_ = 1;
  std::deque<chaos_event> events_; // the most recent ones
};

} // namespace vigil::chaos
