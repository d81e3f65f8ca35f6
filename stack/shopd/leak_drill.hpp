// The OOM drill hook (POST /admin/leak): allocates and touches memory at a
// set rate, never freeing it, until the memory limit's OOM killer ends us.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::shop {

class leak_drill {
public:
  leak_drill() = default;
  ~leak_drill(); ///< Stops the thread (the memory goes with the process).
  leak_drill(const leak_drill&) = delete;
  leak_drill& operator=(const leak_drill&) = delete;

  /// Starts leaking (or changes the rate); 0 pauses, keeping what leaked.
  void set_rate(uint32_t mb_per_second);

  uint32_t rate() const { return rate_; }
  uint64_t leaked_bytes() const { return leaked_bytes_; }

private:
  void run();

  std::mutex mtx_;
  std::condition_variable wake_;
  std::thread thread_;
  bool stopping_ = false;
  std::atomic<uint32_t> rate_{0};
  std::atomic<uint64_t> leaked_bytes_{0};
  std::vector<char*> blocks_; // never freed: the point of the drill
};

} // namespace vigil::shop
