// Wall-clock time as messages, stores and reports carry it: milliseconds
// since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace vigil {

inline int64_t now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace vigil
