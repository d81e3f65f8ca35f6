// The latency toxic: how long dbproxy holds each chunk flowing from the
// database back to its client, to drill slow-database incidents.
#pragma once

#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace vigil::dbproxy {

class toxic_error : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

struct latency_toxic {
  int64_t delay_ms = 0;  ///< Every chunk waits this long...
  int64_t jitter_ms = 0; ///< ...plus or minus up to this much (uniform).
};

constexpr int64_t max_toxic_delay_ms = 60000;

/// Parses {"delay_ms":N,"jitter_ms":M} with 0 <= N <= 60000 and 0 <= M <= N
/// (jitter_ms may be left out: 0); throws toxic_error saying what is wrong.
latency_toxic parse_latency_toxic(const nlohmann::json& body);

nlohmann::json to_json(const latency_toxic& toxic);

} // namespace vigil::dbproxy
