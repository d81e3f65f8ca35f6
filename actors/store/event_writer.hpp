// The ops store writer: takes events from the bus, writes them to Postgres in
// batches on a thread of its own (libpqxx blocks), spools them to disk while
// the ops store is away and replays the spool in order when it is back, and
// deletes what is older than the retention periods.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "messages/observability.hpp"

namespace vigil::store {

struct writer_config {
  std::string dsn;                  ///< libpq connection string of the ops store.
  std::string spool_dir;            ///< Where events wait while the store is away.
  std::string migrations_dir;       ///< Empty: the source tree's.
  size_t batch_size = 500;          ///< Events per INSERT.
  std::chrono::milliseconds flush_every{100};   ///< Longest wait before a partial batch goes.
  std::chrono::milliseconds retry_every{1000};  ///< Between connection attempts.
  std::chrono::hours retain_events{168};
  std::chrono::hours retain_samples{48};
  std::chrono::milliseconds retention_every{std::chrono::minutes(10)};
};

struct writer_stats {
  uint64_t written = 0;   ///< Events this writer stored (duplicates not counted).
  uint64_t queued = 0;    ///< In memory, not yet written or spooled.
  uint64_t spooled = 0;   ///< On disk, waiting for the store.
  uint64_t rejected = 0;  ///< Refused by the store as data (logged), never retried.
  bool store_up = false;
  std::string store_error;
};

class event_writer {
public:
  /// Starts the thread. Throws std::runtime_error when the spool folder
  /// cannot be made; an unreachable store is not an error (it spools).
  explicit event_writer(writer_config config);
  /// Spools what is still queued (no network wait) and stops the thread.
  ~event_writer();
  event_writer(const event_writer&) = delete;
  event_writer& operator=(const event_writer&) = delete;

  /// Queues for writing; never blocks on the store.
  void write(event e);

  writer_stats stats() const;

  /// Runs the retention deletes at the next chance (tests, operators).
  void retain_now();
  /// How many retention runs finished (tests wait on it).
  uint64_t retention_runs() const { return retention_runs_; }

private:
  struct impl;
  void run();

  writer_config config_;
  std::unique_ptr<impl> impl_;
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::vector<event> queue_;
  bool stopping_ = false;
  bool retain_requested_ = false;
  std::string store_error_;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> spooled_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> retention_runs_{0};
  std::atomic<bool> store_up_{false};
  std::thread thread_;
};

} // namespace vigil::store
