// The chaos log: every inject and revert with its label, kept in memory for
// queries, appended to a JSON-lines file that outlives the node, and copied
// into the ops store's chaos_log table (the file is the spool while the ops
// store is away: nothing is lost, nothing written twice).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/chaos.hpp"

namespace vigil::chaos {

class event_log {
public:
  /// `file` may be empty (memory only); its folder is created. With an
  /// `ops_store_dsn` (needs `file`), a thread copies the file's events into
  /// the ops store's chaos_log table.
  explicit event_log(std::string file, std::string ops_store_dsn = "");
  ~event_log();
  event_log(const event_log&) = delete;
  event_log& operator=(const event_log&) = delete;

  /// Stamps `event` with the next sequence number and the time, keeps it,
  /// appends it to the file and returns it.
  chaos_event append(chaos_event event);

  /// Events with a sequence number above `after`.
  std::vector<chaos_event> since(uint64_t after) const;

  static nlohmann::json to_json(const chaos_event& e);

  /// The next sequence number: grows across restarts while the file stays.
  uint64_t next_seq() const { return next_seq_; }

private:
  void copy_to_ops_store();

  std::string file_;
  std::string ops_store_dsn_;
  std::mutex mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool pending_ = true; // new events for the writer
  std::thread writer_;
  uint64_t next_seq_ = 1;
  std::deque<chaos_event> events_; // the most recent ones
};

} // namespace vigil::chaos
