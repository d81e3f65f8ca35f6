// The writer's disk spool: events that could not reach the ops store yet,
// in publish order, in a JSON-lines file that outlives the node. A second
// file remembers how far the store has confirmed them, so a restart resumes
// there (and the ops store's unique ids absorb any overlap).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "messages/observability.hpp"

namespace vigil::store {

class event_spool {
public:
  /// Opens (creating `dir`) "<dir>/events.jsonl" and "<dir>/events.offset".
  /// Throws std::runtime_error when the folder cannot be created.
  explicit event_spool(std::string dir);

  /// Appends in order; flushed to the kernel before returning.
  void append(const std::vector<event>& events);

  /// Up to `max` events after the confirmed offset, oldest first. Lines that
  /// do not parse are skipped (and counted in skipped()).
  std::vector<event> peek(size_t max);

  /// Confirms the events of the last peek() as stored. When nothing is left,
  /// the spool is emptied.
  void confirm();

  /// Events not confirmed yet.
  uint64_t pending() const { return pending_; }
  uint64_t skipped() const { return skipped_; }
  const std::string& file() const { return file_; }

private:
  void save_offset();
  void reset();

  std::string file_;
  std::string offset_file_;
  uint64_t offset_ = 0;      // bytes confirmed
  uint64_t peeked_end_ = 0;  // byte after the last peeked line
  uint64_t peeked_ = 0;      // events in the last peek
  uint64_t pending_ = 0;
  uint64_t skipped_ = 0;
};

} // namespace vigil::store
