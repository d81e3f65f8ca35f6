// A fixed-size pool of libpqxx connections. Callers wait (up to a deadline)
// when all are in use; old or broken connections are replaced by new ones.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <pqxx/connection> // pqxx::connection is an alias: no forward declaration

#include "stack/shopd/db_error.hpp"

namespace vigil::shop {

class connection_pool {
public:
  struct settings {
    size_t size = 8;
    std::chrono::milliseconds wait_timeout{2000};
    std::chrono::milliseconds max_lifetime{300000};
  };

  struct stats {
    size_t size = 0;
    size_t in_use = 0;     ///< Leased, or being connected for a caller.
    size_t idle = 0;
    size_t waiting = 0;    ///< Callers waiting for a free connection.
    uint64_t opened = 0;   ///< Connections made since start.
    uint64_t replaced = 0; ///< Dropped as broken or past max_lifetime.
    uint64_t timeouts = 0; ///< Callers who gave up waiting.
  };

  /// Opens a new connection; throws (db_error or libpqxx) when it cannot.
  using connection_factory = std::function<std::unique_ptr<pqxx::connection>()>;

  connection_pool(settings config, connection_factory factory);
  ~connection_pool();
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /// Runs `work` with a connection of the pool. libpqxx failures become
  /// db_error (other exceptions pass unchanged); a connection that broke on
  /// the way is dropped instead of given back.
  template <class Work>
  auto with_connection(Work&& work) -> decltype(work(std::declval<pqxx::connection&>())) {
    auto held = acquire();
    try {
      return work(held.connection());
    } catch (...) {
      held.broken = !is_open(held.connection());
      rethrow_translated(held.broken);
    }
  }

  /// Applies new settings; connections beyond a smaller size are dropped
  /// as they come back.
  void configure(settings config);

  /// Closes idle connections, so the next ones use fresh settings (e.g. a
  /// rotated password or a moved database); those in use now are closed
  /// when they come back, not pooled.
  void drain_idle();

  stats snapshot() const;

private:
  struct entry {
    std::unique_ptr<pqxx::connection> connection;
    std::chrono::steady_clock::time_point opened_at;
    uint64_t generation = 0; ///< The pool's generation when it was opened.
  };

  /// A connection taken from the pool; given back when destroyed.
  class lease {
  public:
    lease(connection_pool* pool, std::unique_ptr<entry> held);
    lease(lease&&) = default;
    ~lease();
    pqxx::connection& connection() { return *held_->connection; }
    bool broken = false;

  private:
    connection_pool* pool_;
    std::unique_ptr<entry> held_;
  };

  lease acquire();
  void release(std::unique_ptr<entry> held, bool broken);
  static bool is_open(pqxx::connection& connection);
  /// Rethrows the current exception, libpqxx failures as db_error; sets
  /// `broken` when the error means the connection is unusable.
  [[noreturn]] static void rethrow_translated(bool& broken);
  bool expired(const entry& e) const;

  mutable std::mutex mtx_;
  std::condition_variable freed_;
  settings settings_;
  connection_factory factory_;
  std::vector<std::unique_ptr<entry>> idle_;
  size_t in_use_ = 0;
  /// Bumped by drain_idle: a connection of an older one is not reused.
  uint64_t generation_ = 0;
  size_t waiting_ = 0;
  uint64_t opened_ = 0;
  uint64_t replaced_ = 0;
  uint64_t timeouts_ = 0;
};

} // namespace vigil::shop
