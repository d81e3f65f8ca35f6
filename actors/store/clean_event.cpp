#include "actors/store/clean_event.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vigil::store {

namespace {

using json = nlohmann::json;

constexpr size_t invalid_payload_kept = 1024;

bool has_nul_or_high_bytes(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '\0' || static_cast<unsigned char>(c) >= 0x80; });
}

// jsonb refuses "\u0000" inside strings: drop NULs from keys and values.
json without_nuls(const json& j) {
  if (j.is_string())
    return clean_text(j.get<std::string>());
  if (j.is_array()) {
    json result = json::array();
    for (auto& x : j)
      result.push_back(without_nuls(x));
    return result;
  }
  if (j.is_object()) {
    json result = json::object();
    for (auto& [key, value] : j.items())
      result[clean_text(key)] = without_nuls(value);
    return result;
  }
  return j;
}

} // namespace

std::string clean_text(const std::string& text) {
  if (!has_nul_or_high_bytes(text))
    return text; // plain ASCII: the common case, no copy through JSON
  // nlohmann's dump replaces invalid UTF-8 with U+FFFD; parse it back.
  auto dumped = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  auto result = json::parse(dumped).get<std::string>();
  result.erase(std::remove(result.begin(), result.end(), '\0'), result.end());
  return result;
}

std::string clean_payload(const std::string& payload) {
  auto j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return json{{"invalid_payload", clean_text(payload.substr(0, invalid_payload_kept))}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
  if (payload.find("\\u0000") == std::string::npos && !has_nul_or_high_bytes(payload))
    return payload;
  return without_nuls(j).dump(-1, ' ', false, json::error_handler_t::replace);
}

event clean_event(event e) {
  e.id = clean_text(e.id);
  e.topic = clean_text(e.topic);
  e.source = clean_text(e.source);
  e.severity = clean_text(e.severity);
  e.summary = clean_text(e.summary);
  e.payload = clean_payload(e.payload);
  return e;
}

} // namespace vigil::store
