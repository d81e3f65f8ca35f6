#include "chaos/event_log.hpp"
#include "messages/unix_time.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

namespace vigil::chaos {

namespace {

constexpr size_t kept_in_memory = 10000;

} // namespace

event_log::event_log(std::string file, std::string ops_store_dsn)
  : file_(std::move(file)), ops_store_dsn_(std::move(ops_store_dsn)) {
  if (file_.empty())
    return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path{file_}.parent_path(), ec);
  // Continue the numbering of an existing log, so sequence numbers stay unique.
  std::ifstream in{file_};
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned())
      next_seq_ = std::max(next_seq_, j["seq"].get<uint64_t>() + 1);
  }
  if (!ops_store_dsn_.empty())
    writer_ = std::thread{[this] { copy_to_ops_store(); }};
}

event_log::~event_log() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable())
    writer_.join();
}

void event_log::copy_to_ops_store() {
  bool warned = false;
  std::unique_lock<std::mutex> lock{mtx_};
  while (!stopping_) {
    pending_ = false;
    lock.unlock();
    try {
      pqxx::connection conn{ops_store_dsn_};
      pqxx::work tx{conn};
      tx.exec("CREATE TABLE IF NOT EXISTS chaos_log (seq bigint PRIMARY KEY, injection_id text,"
              " fault text, label text, phase text, params jsonb, requested_by text,"
              " at timestamptz, detail text)");
      auto done = tx.exec1("SELECT coalesce(max(seq), 0) FROM chaos_log")[0].as<uint64_t>();
      // The file is the spool: everything after the last stored entry, in order.
      std::ifstream in{file_};
      std::string line;
      size_t copied = 0;
      while (std::getline(in, line)) {
        auto e = nlohmann::json::parse(line, nullptr, false);
        if (!e.is_object() || e.value("seq", uint64_t{0}) <= done)
          continue;
        tx.exec_params("INSERT INTO chaos_log VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7,"
                       " to_timestamp($8::double precision / 1000), $9)"
                       " ON CONFLICT (seq) DO NOTHING",
                       e.value("seq", uint64_t{0}), e.value("injection_id", ""),
                       e.value("fault", ""), e.value("label", ""), e.value("phase", ""),
                       e.contains("params") ? e["params"].dump() : "{}",
                       e.value("requested_by", ""), e.value("unix_ms", int64_t{0}),
                       e.value("detail", ""));
        ++copied;
      }
      tx.commit();
      if (warned && copied > 0)
        spdlog::info("chaos: ops store is back; copied {} chaos log entries", copied);
      warned = false;
    } catch (const std::exception& e) {
      if (!warned)
        spdlog::warn("chaos: cannot write the chaos log to the ops store ({}); "
                     "keeping it in {} until it is back", e.what(), file_);
      warned = true;
    }
    lock.lock();
    // Woken by a new event, or retrying every second while the store is away.
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || pending_; });
  }
}

nlohmann::json event_log::to_json(const chaos_event& e) {
  return {{"seq", e.seq},           {"injection_id", e.injection_id},
          {"fault", e.fault},       {"label", e.label},
          {"phase", e.phase},       {"params", nlohmann::json::parse(e.params_json, nullptr, false)},
          {"requested_by", e.requested_by}, {"unix_ms", e.unix_ms},
          {"detail", e.detail}};
}

chaos_event event_log::append(chaos_event event) {
  event.seq = next_seq_++;
  event.unix_ms = now_unix_ms();
  events_.push_back(event);
  if (events_.size() > kept_in_memory)
    events_.pop_front();
  if (!file_.empty()) {
    std::ofstream out{file_, std::ios::app};
    out << to_json(event).dump() << "\n";
    out.flush();
    if (!out)
      spdlog::error("chaos: cannot append to {}", file_);
    {
      std::lock_guard<std::mutex> guard{mtx_};
      pending_ = true;
    }
    wake_.notify_all();
  }
  spdlog::info("chaos: {} {} [{}] {} — {}", event.phase, event.fault, event.label,
               event.injection_id, event.detail);
  return event;
}

std::vector<chaos_event> event_log::since(uint64_t after) const {
  std::vector<chaos_event> result;
  for (auto& e : events_)
    if (e.seq > after)
      result.push_back(e);
  return result;
}

} // namespace vigil::chaos
