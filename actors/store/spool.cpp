#include "actors/store/spool.hpp"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/store/event_json.hpp"

namespace vigil::store {

namespace fs = std::filesystem;

event_spool::event_spool(std::string dir)
  : file_(dir + "/events.jsonl"), offset_file_(dir + "/events.offset") {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("cannot create the spool folder " + dir + ": " + ec.message());
  {
    std::ifstream in{offset_file_};
    in >> offset_;
    if (!in)
      offset_ = 0;
  }
  auto size = fs::exists(file_, ec) ? fs::file_size(file_, ec) : 0;
  if (ec)
    size = 0;
  // A crash mid-append can leave a torn last line: cut it, or the next
  // append would glue a good event to it.
  std::ifstream in{file_, std::ios::binary};
  std::string line;
  uint64_t pos = 0;
  uint64_t good_end = 0;
  while (std::getline(in, line)) {
    bool complete = !in.eof();
    pos += line.size() + (complete ? 1 : 0);
    if (!complete)
      break;
    good_end = pos;
    if (good_end > offset_)
      ++pending_;
  }
  in.close();
  if (good_end != size)
    fs::resize_file(file_, good_end, ec);
  if (offset_ > good_end)
    offset_ = good_end;
  if (pending_ > 0)
    spdlog::info("ops store spool {}: {} events wait for the ops store", file_, pending_);
}

void event_spool::append(const std::vector<event>& events) {
  if (events.empty())
    return;
  std::string text;
  for (auto& e : events)
    text += to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::ofstream out{file_, std::ios::app | std::ios::binary};
  out << text;
  out.flush();
  if (!out)
    throw std::runtime_error("cannot append to the spool " + file_);
  pending_ += events.size();
}

std::vector<event> event_spool::peek(size_t max) {
  std::vector<event> result;
  peeked_ = 0;
  peeked_end_ = offset_;
  if (pending_ == 0)
    return result;
  std::ifstream in{file_, std::ios::binary};
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string line;
  while (result.size() < max && std::getline(in, line)) {
    if (in.eof())
      break; // an append in progress elsewhere: not a whole line yet
    peeked_end_ += line.size() + 1;
    ++peeked_;
    auto j = nlohmann::json::parse(line, nullptr, false);
    auto e = event_from_json(j);
    if (!e) {
      ++skipped_;
      spdlog::error("ops store spool {}: skipping an unreadable line", file_);
      continue;
    }
    result.push_back(std::move(*e));
  }
  return result;
}

void event_spool::confirm() {
  offset_ = peeked_end_;
  pending_ = pending_ >= peeked_ ? pending_ - peeked_ : 0;
  peeked_ = 0;
  if (pending_ == 0)
    reset();
  else
    save_offset();
}

void event_spool::save_offset() {
  // Write then rename: a crash leaves the old offset or the new, never half.
  auto tmp = offset_file_ + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << offset_ << "\n";
  }
  std::error_code ec;
  fs::rename(tmp, offset_file_, ec);
}

void event_spool::reset() {
  std::error_code ec;
  fs::remove(offset_file_, ec);
  fs::resize_file(file_, 0, ec);
  offset_ = 0;
  peeked_end_ = 0;
}

} // namespace vigil::store
