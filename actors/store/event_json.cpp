#include "actors/store/event_json.hpp"

namespace vigil::store {

nlohmann::json to_json(const event& e) {
  auto payload = nlohmann::json::parse(e.payload, nullptr, false);
  return {{"id", e.id},
          {"topic", e.topic},
          {"source", e.source},
          {"at", e.at_unix_ms},
          {"severity", e.severity},
          {"summary", e.summary},
          {"payload", payload.is_discarded() ? nlohmann::json(e.payload) : payload}};
}

std::optional<event> event_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("topic")
      || !j["topic"].is_string())
    return std::nullopt;
  auto text = [&j](const char* key) {
    auto i = j.find(key);
    return i != j.end() && i->is_string() ? i->get<std::string>() : std::string{};
  };
  event e;
  e.id = text("id");
  e.topic = text("topic");
  e.source = text("source");
  e.severity = text("severity");
  e.summary = text("summary");
  auto at = j.find("at");
  e.at_unix_ms = at != j.end() && at->is_number_integer() ? at->get<int64_t>() : 0;
  auto payload = j.find("payload");
  if (payload == j.end())
    e.payload = "{}";
  else if (payload->is_string())
    e.payload = payload->get<std::string>();
  else
    e.payload = payload->dump();
  return e;
}

} // namespace vigil::store
