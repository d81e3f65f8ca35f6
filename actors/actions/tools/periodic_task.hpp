// A background thread that runs a task every N seconds until destroyed; the
// tools use it to keep what a later repair needs (snapshots of orders, the
// last known good config) while the stack is healthy.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil::actions {

class periodic_task {
public:
  periodic_task() = default;

  /// Starts at once; the first run is one period from now.
  periodic_task(std::chrono::seconds period, std::function<void()> task) {
    thread_ = std::thread{[this, period, task = std::move(task)] {
      std::unique_lock<std::mutex> lock{mtx_};
      while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
        lock.unlock();
        task();
        lock.lock();
      }
    }};
  }

  periodic_task(const periodic_task&) = delete;
  periodic_task& operator=(const periodic_task&) = delete;

  ~periodic_task() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

private:
  std::mutex mtx_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace vigil::actions
