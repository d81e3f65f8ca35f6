#include "chaos/event_log.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

namespace vigil::chaos {

namespace {

constexpr size_t kept_in_memory = 10000;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

event_log::event_log(std::string file) : file_(std::move(file)) {
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
  event.unix_ms = now_ms();
  events_.push_back(event);
  if (events_.size() > kept_in_memory)
    events_.pop_front();
  if (!file_.empty()) {
    std::ofstream out{file_, std::ios::app};
    out << to_json(event).dump() << "\n";
    if (!out)
      spdlog::error("chaos: cannot append to {}", file_);
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
