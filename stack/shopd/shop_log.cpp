#include "stack/shopd/shop_log.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace vigil::shop {

namespace {

std::string now_utc() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

// Request paths come from the network; keep one request on one line.
std::string printable(const std::string& text) {
  std::string result;
  for (char c : text)
    result += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return result;
}

} // namespace

shop_log::~shop_log() {
  if (file_ != nullptr)
    std::fclose(file_);
}

void shop_log::open(const std::string& path) {
  std::FILE* fresh = nullptr;
  if (!path.empty()) {
    fresh = std::fopen(path.c_str(), "ae");
    if (fresh == nullptr)
      throw std::runtime_error("cannot open log file " + path + ": " + std::strerror(errno));
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (file_ != nullptr)
    std::fclose(file_);
  file_ = fresh;
}

void shop_log::access(const std::string& method, const std::string& path, int status,
                      double ms) {
  char duration[32];
  std::snprintf(duration, sizeof(duration), "%.1fms", ms);
  write_line("access " + printable(method) + " " + printable(path) + " "
             + std::to_string(status) + " " + duration);
}

void shop_log::error(const std::string& topic, const std::string& message) {
  write_line("error " + topic + ": " + printable(message));
}

void shop_log::info(const std::string& topic, const std::string& message) {
  write_line("info " + topic + ": " + printable(message));
}

void shop_log::write_line(const std::string& text) {
  auto line = now_utc() + " " + text + "\n";
  std::lock_guard<std::mutex> guard{mtx_};
  auto out = file_ != nullptr ? file_ : stderr;
  // A full disk must not take the shop down; a lost log line is tolerable.
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

} // namespace vigil::shop
