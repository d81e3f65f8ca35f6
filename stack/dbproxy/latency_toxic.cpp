// Validation of the latency toxic set over the control API.
#include "stack/dbproxy/latency_toxic.hpp"

#include <string>

namespace vigil::dbproxy {

latency_toxic parse_latency_toxic(const nlohmann::json& body) {
  if (!body.is_object())
    throw toxic_error("expected a JSON object like {\"delay_ms\":300,\"jitter_ms\":50}");
  for (auto& [key, value] : body.items())
    if (key != "delay_ms" && key != "jitter_ms")
      throw toxic_error("unknown field '" + key + "': expected delay_ms and jitter_ms");
  latency_toxic toxic;
  auto delay = body.find("delay_ms");
  if (delay == body.end() || !delay->is_number_integer())
    throw toxic_error("field 'delay_ms' must be an integer in [0, 60000]");
  toxic.delay_ms = delay->get<int64_t>();
  if (toxic.delay_ms < 0 || toxic.delay_ms > max_toxic_delay_ms)
    throw toxic_error("'delay_ms' must be in [0, 60000], got " + delay->dump());
  auto jitter = body.find("jitter_ms");
  if (jitter != body.end()) {
    if (!jitter->is_number_integer())
      throw toxic_error("field 'jitter_ms' must be an integer in [0, delay_ms]");
    toxic.jitter_ms = jitter->get<int64_t>();
    if (toxic.jitter_ms < 0 || toxic.jitter_ms > toxic.delay_ms)
      throw toxic_error("'jitter_ms' must be in [0, delay_ms=" + std::to_string(toxic.delay_ms)
                        + "], got " + jitter->dump());
  }
  return toxic;
}

nlohmann::json to_json(const latency_toxic& toxic) {
  return {{"delay_ms", toxic.delay_ms}, {"jitter_ms", toxic.jitter_ms}};
}

} // namespace vigil::dbproxy
