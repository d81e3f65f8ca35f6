#include "actors/bus/event_check.hpp"

#include <algorithm>
#include <cctype>

#include "actors/store/clean_event.hpp"

namespace vigil::bus {

namespace {

constexpr size_t max_topic = 200;
constexpr size_t max_id = 200;
constexpr size_t max_source = 200;
constexpr size_t max_summary = 2000;

bool topic_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-'
         || c == ':' || c == '/';
}

} // namespace

std::optional<std::string> check_event(event& e) {
  if (e.topic.empty())
    return "an event needs a topic";
  if (e.topic.size() > max_topic)
    return "topic longer than " + std::to_string(max_topic) + " characters";
  if (!std::all_of(e.topic.begin(), e.topic.end(), topic_char))
    return "topic \"" + store::clean_text(e.topic)
           + "\" has characters other than letters, digits and . _ - : /";
  if (e.id.size() > max_id)
    return "id longer than " + std::to_string(max_id) + " characters";
  if (e.source.size() > max_source)
    return "source longer than " + std::to_string(max_source) + " characters";
  if (e.payload.size() > max_payload_bytes)
    return "payload of " + std::to_string(e.payload.size()) + " bytes is over the limit of "
           + std::to_string(max_payload_bytes);
  if (e.severity.empty())
    e.severity = "info";
  if (e.severity != "info" && e.severity != "warning" && e.severity != "error")
    return "severity \"" + store::clean_text(e.severity) + "\" is not info, warning or error";
  if (e.at_unix_ms < 0)
    return "negative time";
  if (e.summary.size() > max_summary)
    e.summary = e.summary.substr(0, max_summary) + "...";
  if (e.payload.empty())
    e.payload = "{}";
  e = store::clean_event(std::move(e));
  return std::nullopt;
}

} // namespace vigil::bus
