// One short-lived thread per readiness check, with vigil_http's blocking client.
#include "actors/services/readiness.hpp"

#include <algorithm>
#include <thread>

#include "http/client.hpp"

namespace vigil::services {

void await_ready(const std::string& url, std::chrono::milliseconds timeout, cancel_flag cancel,
                 ready_callback done) {
  std::thread{[url, timeout, cancel, done] {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + timeout;
    std::string last = "no answer yet";
    while (!*cancel) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      if (left.count() <= 0)
        break;
      try {
        auto response = http::fetch("GET", url, "", {},
                                    std::min(left, std::chrono::milliseconds{1000}));
        if (response.status == 200) {
          if (!*cancel)
            done(true, "");
          return;
        }
        last = "HTTP " + std::to_string(response.status);
      } catch (const std::exception& e) {
        last = e.what();
      }
      // A helper thread's pause between tries, not a test waiting on time.
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    if (!*cancel)
      done(false, "not ready within " + std::to_string(timeout.count()) + " ms (" + url + ": "
                    + last + ")");
  }}.detach();
}

} // namespace vigil::services
