#include "stack/shopd/leak_drill.hpp"

#include <chrono>
#include <cstring>
#include <new>

namespace vigil::shop {

namespace {

constexpr size_t mib = 1 << 20;
// Several small steps per second give a smooth growth curve to observe.
constexpr int steps_per_second = 10;

} // namespace

leak_drill::~leak_drill() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void leak_drill::set_rate(uint32_t mb_per_second) {
  std::lock_guard<std::mutex> guard{mtx_};
  rate_ = mb_per_second;
  if (!thread_.joinable() && mb_per_second > 0)
    thread_ = std::thread{[this] { run(); }};
  wake_.notify_all();
}

void leak_drill::run() {
  std::unique_lock<std::mutex> guard{mtx_};
  auto next = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (rate_ == 0) {
      wake_.wait(guard, [this] { return stopping_ || rate_ > 0; });
      next = std::chrono::steady_clock::now();
      continue;
    }
    auto bytes = static_cast<size_t>(rate_) * mib / steps_per_second;
    auto block = new (std::nothrow) char[bytes];
    if (block != nullptr) {
      // Touch every page so the memory is resident, not just reserved.
      std::memset(block, 0x5a, bytes);
      blocks_.push_back(block);
      leaked_bytes_ += bytes;
    }
    // Paced by a deadline, and woken early on stop or a rate change.
    next += std::chrono::milliseconds(1000 / steps_per_second);
    wake_.wait_until(guard, next, [this] { return stopping_; });
  }
}

} // namespace vigil::shop
