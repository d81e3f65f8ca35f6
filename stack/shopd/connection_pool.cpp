#include "stack/shopd/connection_pool.hpp"

#include <iterator>

#include <pqxx/pqxx>

namespace vigil::shop {

connection_pool::lease::lease(connection_pool* pool, std::unique_ptr<entry> held)
  : pool_(pool), held_(std::move(held)) {
  // nop
}

connection_pool::lease::~lease() {
  if (held_)
    pool_->release(std::move(held_), broken);
}

connection_pool::connection_pool(settings config, connection_factory factory)
  : settings_(config), factory_(std::move(factory)) {
  // nop
}

connection_pool::~connection_pool() = default;

bool connection_pool::is_open(pqxx::connection& connection) {
  return connection.is_open();
}

void connection_pool::rethrow_translated(bool& broken) {
  try {
    throw;
  } catch (const pqxx::failure&) {
    auto error = current_db_error();
    broken = broken || error.status() == 503;
    throw error;
  }
}

bool connection_pool::expired(const entry& e) const {
  return std::chrono::steady_clock::now() - e.opened_at >= settings_.max_lifetime;
}

connection_pool::lease connection_pool::acquire() {
  std::unique_lock<std::mutex> guard{mtx_};
  auto deadline = std::chrono::steady_clock::now() + settings_.wait_timeout;
  for (;;) {
    while (!idle_.empty()) {
      auto candidate = std::move(idle_.back());
      idle_.pop_back();
      if (expired(*candidate) || !is_open(*candidate->connection)) {
        ++replaced_;
        // Closing talks to the server; not under the lock.
        guard.unlock();
        candidate.reset();
        guard.lock();
        continue;
      }
      ++in_use_;
      return lease{this, std::move(candidate)};
    }
    if (in_use_ < settings_.size) {
      // Count the slot as used while connecting, so the pool never exceeds
      // its size even when several callers connect at once.
      ++in_use_;
      auto generation = generation_;
      guard.unlock();
      try {
        auto fresh = std::make_unique<entry>();
        fresh->generation = generation;
        fresh->connection = factory_();
        fresh->opened_at = std::chrono::steady_clock::now();
        // A broken connection is replaced by the pool (with the current
        // password), not silently reconnected by libpqxx with stale settings.
        // Deprecated in libpqxx 6 because 7 dropped reactivation altogether.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        fresh->connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
        guard.lock();
        ++opened_;
        return lease{this, std::move(fresh)};
      } catch (...) {
        auto error = current_db_error();
        guard.lock();
        --in_use_;
        freed_.notify_one();
        // Connect failures always mean "the database cannot serve us now".
        throw db_error(503, error.what());
      }
    }
    ++waiting_;
    auto woken = freed_.wait_until(guard, deadline, [this] {
      return !idle_.empty() || in_use_ < settings_.size;
    });
    --waiting_;
    if (!woken) {
      ++timeouts_;
      throw db_error(503, "no database connection free within "
                            + std::to_string(settings_.wait_timeout.count()) + " ms (pool size "
                            + std::to_string(settings_.size) + ", all in use)");
    }
  }
}

void connection_pool::release(std::unique_ptr<entry> held, bool broken) {
  std::unique_lock<std::mutex> guard{mtx_};
  --in_use_;
  auto keep = !broken && held->generation == generation_ && is_open(*held->connection)
              && !expired(*held) && in_use_ + idle_.size() < settings_.size;
  std::vector<std::unique_ptr<entry>> dropped;
  if (keep) {
    idle_.push_back(std::move(held));
  } else {
    ++replaced_;
    dropped.push_back(std::move(held));
  }
  if (broken) {
    // A broken connection most often means the server restarted or went
    // away: its idle siblings are dead too, and each would fail a request.
    replaced_ += idle_.size();
    std::move(idle_.begin(), idle_.end(), std::back_inserter(dropped));
    idle_.clear();
  }
  guard.unlock();
  freed_.notify_all();
  // `dropped` closes its connections here, outside the lock.
}

void connection_pool::configure(settings config) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    settings_ = config;
  }
  freed_.notify_all();
}

void connection_pool::drain_idle() {
  std::vector<std::unique_ptr<entry>> dropped;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    dropped.swap(idle_);
    replaced_ += dropped.size();
    ++generation_;
  }
  freed_.notify_all();
}

connection_pool::stats connection_pool::snapshot() const {
  std::lock_guard<std::mutex> guard{mtx_};
  stats result;
  result.size = settings_.size;
  result.in_use = in_use_;
  result.idle = idle_.size();
  result.waiting = waiting_;
  result.opened = opened_;
  result.replaced = replaced_;
  result.timeouts = timeouts_;
  return result;
}

} // namespace vigil::shop
