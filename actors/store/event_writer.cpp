#include "actors/store/event_writer.hpp"

#include <stdexcept>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "actors/store/clean_event.hpp"
#include "actors/store/event_rows.hpp"
#include "actors/store/migrate.hpp"
#include "actors/store/spool.hpp"
#include "metrics/registry.hpp"

namespace vigil::store {

namespace {

using clock_type = std::chrono::steady_clock;

// One INSERT stays below this many bytes of SQL, whatever the payloads.
constexpr size_t max_statement_bytes = 4 << 20;
// Spool batches replayed per wake-up, so new events get spooled in time.
constexpr int replay_rounds = 20;

/// The store cannot take writes now: spool and retry later.
struct store_down : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Postgres refused these rows as data (not a connection problem): classes
/// 22 (data exception), 23 (integrity) and 54 (program limit, e.g. too big).
bool is_data_error(const std::string& sqlstate) {
  auto cls = sqlstate.substr(0, 2);
  return cls == "22" || cls == "23" || cls == "54";
}

std::string with_connect_timeout(const std::string& dsn) {
  // Keyword/value strings only; a URI keeps what it says.
  if (dsn.find("connect_timeout") != std::string::npos || dsn.rfind("postgres", 0) == 0)
    return dsn;
  return dsn + " connect_timeout=3";
}

size_t approx_bytes(const event& e) {
  return e.id.size() + e.topic.size() + e.source.size() + e.severity.size() + e.summary.size()
         + e.payload.size() + 64;
}

void describe_metrics() {
  auto& r = metrics::registry::global();
  r.describe("vigil_writer_queue_depth", metrics::kind::gauge,
             "Events in memory waiting for the ops store writer.");
  r.describe("vigil_writer_spooled_events", metrics::kind::gauge,
             "Events spooled on disk while the ops store is away.");
  r.describe("vigil_writer_written_total", metrics::kind::counter,
             "Events written to the ops store.");
  r.describe("vigil_writer_rejected_total", metrics::kind::counter,
             "Events the ops store refused as data (logged, not retried).");
  r.describe("vigil_ops_store_up", metrics::kind::gauge,
             "1 when the writer is connected to the ops store.");
}

} // namespace

struct event_writer::impl {
  explicit impl(const std::string& spool_dir) : spool(spool_dir) {
    // nop
  }
  event_spool spool;
  std::unique_ptr<pqxx::connection> conn;
  clock_type::time_point next_connect{};
  clock_type::time_point next_retention{};
  bool warned = false;
};

event_writer::event_writer(writer_config config) : config_(std::move(config)) {
  if (config_.migrations_dir.empty())
    config_.migrations_dir = default_migrations_dir();
  if (config_.batch_size == 0)
    config_.batch_size = 1;
  config_.dsn = with_connect_timeout(config_.dsn);
  impl_ = std::make_unique<impl>(config_.spool_dir);
  spooled_ = impl_->spool.pending();
  describe_metrics();
  store_error_ = "not connected yet";
  thread_ = std::thread{[this] { run(); }};
}

event_writer::~event_writer() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void event_writer::write(event e) {
  bool full = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    queue_.push_back(std::move(e));
    full = queue_.size() >= config_.batch_size;
  }
  if (full)
    wake_.notify_one();
}

writer_stats event_writer::stats() const {
  writer_stats s;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    s.queued = queue_.size();
    s.store_error = store_error_;
  }
  s.written = written_;
  s.spooled = spooled_;
  s.rejected = rejected_;
  s.store_up = store_up_;
  if (s.store_up)
    s.store_error.clear();
  return s;
}

void event_writer::retain_now() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    retain_requested_ = true;
  }
  wake_.notify_one();
}

void event_writer::run() {
  auto& st = *impl_;
  auto& metrics = metrics::registry::global();

  auto set_error = [this](const std::string& what) {
    std::lock_guard<std::mutex> guard{mtx_};
    store_error_ = what;
  };

  auto disconnect = [&](const std::string& why) {
    st.conn.reset();
    store_up_ = false;
    set_error(why);
    st.next_connect = clock_type::now() + config_.retry_every;
    if (!st.warned)
      spdlog::warn("ops store: lost ({}); spooling events to {}", why, st.spool.file());
    st.warned = true;
  };

  auto connect_if_due = [&] {
    if (st.conn || clock_type::now() < st.next_connect)
      return;
    st.next_connect = clock_type::now() + config_.retry_every;
    try {
      migrate(config_.dsn, config_.migrations_dir);
      auto conn = std::make_unique<pqxx::connection>(config_.dsn);
      pqxx::nontransaction{*conn}.exec("SET statement_timeout = '60s'");
      st.conn = std::move(conn);
      store_up_ = true;
      set_error("");
      if (st.warned)
        spdlog::info("ops store: back; replaying {} spooled events", st.spool.pending());
      st.warned = false;
    } catch (const std::exception& e) {
      store_up_ = false;
      set_error(e.what());
      if (!st.warned)
        spdlog::warn("ops store: cannot connect ({}); spooling events to {}", e.what(),
                     st.spool.file());
      st.warned = true;
    }
  };

  auto spool = [&](const std::vector<event>& events, size_t from) {
    if (from >= events.size())
      return;
    try {
      st.spool.append({events.begin() + static_cast<std::ptrdiff_t>(from), events.end()});
    } catch (const std::exception& e) {
      // Nowhere left to keep them: say so loudly; the count shows in metrics.
      spdlog::error("ops store writer: {}; {} events lost", e.what(), events.size() - from);
      rejected_ += events.size() - from;
    }
    spooled_ = st.spool.pending();
  };

  // Stores one batch in one transaction; rows the store refuses as data are
  // retried one by one and the bad ones dropped with a log line.
  std::function<void(const std::vector<event>&)> store = [&](const std::vector<event>& batch) {
    try {
      pqxx::work tx{*st.conn};
      auto n = insert_events(tx, batch);
      tx.commit();
      written_ += n;
      metrics.add("vigil_writer_written_total", {}, static_cast<double>(n));
    } catch (const pqxx::sql_error& e) {
      if (!is_data_error(e.sqlstate()))
        throw store_down(e.what());
      if (batch.size() > 1) {
        for (auto& one : batch)
          store({one});
        return;
      }
      ++rejected_;
      metrics.add("vigil_writer_rejected_total", {});
      spdlog::error("ops store: refused event {} on topic {}: {}", batch[0].id, batch[0].topic,
                    e.what());
    } catch (const store_down&) {
      throw;
    } catch (const std::exception& e) {
      // broken_connection, in_doubt_error, "lost connection"...: a replay
      // later is safe because ids are unique.
      throw store_down(e.what());
    }
  };

  // Splits by count and by SQL size.
  auto chunks_of = [this](const std::vector<event>& events, size_t from) {
    size_t end = from;
    size_t bytes = 0;
    while (end < events.size() && end - from < config_.batch_size
           && (end == from || bytes + approx_bytes(events[end]) < max_statement_bytes))
      bytes += approx_bytes(events[end++]);
    return end;
  };

  auto write_direct = [&](std::vector<event>& events) {
    size_t from = 0;
    while (from < events.size()) {
      auto end = chunks_of(events, from);
      try {
        store({events.begin() + static_cast<std::ptrdiff_t>(from),
               events.begin() + static_cast<std::ptrdiff_t>(end)});
      } catch (const store_down& e) {
        disconnect(e.what());
        spool(events, from);
        return;
      }
      from = end;
    }
  };

  auto replay = [&] {
    for (int round = 0; round < replay_rounds && st.conn && st.spool.pending() > 0; ++round) {
      auto batch = st.spool.peek(config_.batch_size);
      for (auto& e : batch)
        e = clean_event(std::move(e));
      try {
        size_t from = 0;
        while (from < batch.size()) {
          auto end = chunks_of(batch, from);
          store({batch.begin() + static_cast<std::ptrdiff_t>(from),
                 batch.begin() + static_cast<std::ptrdiff_t>(end)});
          from = end;
        }
      } catch (const store_down& e) {
        disconnect(e.what());
        return;
      }
      st.spool.confirm();
      spooled_ = st.spool.pending();
    }
  };

  auto retain = [&] {
    st.next_retention = clock_type::now() + config_.retention_every;
    try {
      pqxx::work tx{*st.conn};
      auto deleted = delete_expired(tx, static_cast<uint32_t>(config_.retain_events.count()),
                                    static_cast<uint32_t>(config_.retain_samples.count()));
      tx.commit();
      ++retention_runs_;
      if (deleted > 0)
        spdlog::info("ops store: retention deleted {} old rows", deleted);
    } catch (const pqxx::sql_error& e) {
      spdlog::warn("ops store: retention failed: {}", e.what());
    } catch (const std::exception& e) {
      disconnect(e.what());
    }
  };

  std::unique_lock<std::mutex> lock{mtx_};
  while (true) {
    wake_.wait_for(lock, config_.flush_every, [this] {
      return stopping_ || retain_requested_ || queue_.size() >= config_.batch_size;
    });
    std::vector<event> batch;
    batch.swap(queue_);
    bool stopping = stopping_;
    bool retain_requested = retain_requested_;
    retain_requested_ = false;
    lock.unlock();
    for (auto& e : batch)
      e = clean_event(std::move(e));
    if (stopping) {
      // No waiting on the network while the node stops: the next writer replays.
      spool(batch, 0);
      break;
    }
    connect_if_due();
    // Once anything is spooled, everything goes behind it: order is kept.
    if (!st.conn || st.spool.pending() > 0)
      spool(batch, 0);
    else
      write_direct(batch);
    if (st.conn && st.spool.pending() > 0)
      replay();
    if (st.conn && (retain_requested || clock_type::now() >= st.next_retention))
      retain();
    metrics.set("vigil_writer_spooled_events", {}, static_cast<double>(st.spool.pending()));
    metrics.set("vigil_ops_store_up", {}, st.conn ? 1 : 0);
    lock.lock();
    metrics.set("vigil_writer_queue_depth", {}, static_cast<double>(queue_.size()));
  }
  metrics.set("vigil_ops_store_up", {}, 0);
}

} // namespace vigil::store
