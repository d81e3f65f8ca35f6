#include "messages/observability_json.hpp"

#include <stdexcept>
#include <type_traits>

namespace vigil {

using json = nlohmann::json;

namespace {

void require_object(const json& j, const char* what) {
  if (!j.is_object())
    throw std::invalid_argument(std::string{what} + ": expected a JSON object, got "
                                + j.dump());
}

template <class T>
void read(const json& j, const char* field, T& out) {
  auto i = j.find(field);
  if (i == j.end() || i->is_null())
    return;
  bool fits = false;
  if constexpr (std::is_same_v<T, std::string>)
    fits = i->is_string();
  else if constexpr (std::is_same_v<T, double>)
    fits = i->is_number();
  else if constexpr (std::is_unsigned_v<T>)
    fits = i->is_number_unsigned();
  else
    fits = i->is_number_integer();
  if (!fits)
    throw std::invalid_argument(std::string{"field '"} + field + "': unexpected " + i->dump());
  out = i->get<T>();
}

} // namespace

json to_json(const probe_result& x) {
  return {{"probe", x.probe},         {"kind", x.kind},     {"target", x.target},
          {"status", x.status},       {"detail", x.detail}, {"latency_ms", x.latency_ms},
          {"at_unix_ms", x.at_unix_ms}, {"values", x.values}};
}

json to_json(const sli_snapshot& x) {
  return {{"service", x.service},   {"window_end_unix_ms", x.window_end_unix_ms},
          {"window_ms", x.window_ms}, {"requests", x.requests},
          {"failures", x.failures}, {"success_ratio", x.success_ratio},
          {"p50_ms", x.p50_ms},     {"p95_ms", x.p95_ms},
          {"p99_ms", x.p99_ms}};
}

json to_json(const service_health& x) {
  json j{{"service", x.service}, {"health", x.health},
         {"reason", x.reason},   {"since_unix_ms", x.since_unix_ms},
         {"failing", x.failing}, {"sli", nullptr}};
  if (!x.sli.service.empty())
    j["sli"] = to_json(x.sli);
  return j;
}

probe_result probe_result_from_json(const json& j) {
  require_object(j, "probe result");
  probe_result x;
  read(j, "probe", x.probe);
  read(j, "kind", x.kind);
  read(j, "target", x.target);
  read(j, "status", x.status);
  read(j, "detail", x.detail);
  read(j, "latency_ms", x.latency_ms);
  read(j, "at_unix_ms", x.at_unix_ms);
  auto values = j.find("values");
  if (values != j.end() && !values->is_null()) {
    if (!values->is_object())
      throw std::invalid_argument("field 'values': expected an object, got " + values->dump());
    for (auto& [key, value] : values->items()) {
      if (!value.is_number())
        throw std::invalid_argument("field 'values." + key + "': expected a number, got "
                                    + value.dump());
      x.values[key] = value.get<double>();
    }
  }
  return x;
}

sli_snapshot sli_snapshot_from_json(const json& j) {
  require_object(j, "SLI snapshot");
  sli_snapshot x;
  read(j, "service", x.service);
  read(j, "window_end_unix_ms", x.window_end_unix_ms);
  read(j, "window_ms", x.window_ms);
  read(j, "requests", x.requests);
  read(j, "failures", x.failures);
  read(j, "success_ratio", x.success_ratio);
  read(j, "p50_ms", x.p50_ms);
  read(j, "p95_ms", x.p95_ms);
  read(j, "p99_ms", x.p99_ms);
  return x;
}

} // namespace vigil
