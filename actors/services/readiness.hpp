// Readiness of a freshly started service: its ready_url answers 200. Polled
// from a helper thread, so no actor thread ever blocks on HTTP.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace vigil::services {

/// Set to true to stop a readiness check early; its callback is then not called.
using cancel_flag = std::shared_ptr<std::atomic<bool>>;

/// Called once: ready, or not within the timeout and the last answer why.
using ready_callback = std::function<void(bool ready, const std::string& detail)>;

/// GETs `url` every 50 ms (each try waits at most 1 s) until it answers 200
/// or `timeout` passed, then calls `done` from the helper thread.
void await_ready(const std::string& url, std::chrono::milliseconds timeout, cancel_flag cancel,
                 ready_callback done);

} // namespace vigil::services
