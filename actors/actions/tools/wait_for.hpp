// Polls a condition until it holds or a deadline passes: how a tool waits
// for the effect of what it did (a server up, a login working).
#pragma once

#include <chrono>
#include <thread>

namespace vigil::actions {

template <class Condition>
bool wait_for(Condition condition, std::chrono::milliseconds timeout,
              std::chrono::milliseconds interval = std::chrono::milliseconds{200}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition())
      return true;
    if (std::chrono::steady_clock::now() + interval > deadline)
      return false;
    std::this_thread::sleep_for(interval);
  }
}

} // namespace vigil::actions
