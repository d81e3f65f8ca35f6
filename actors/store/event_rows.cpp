#include "actors/store/event_rows.hpp"

#include <cmath>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/store/clean_event.hpp"

namespace vigil::store {

namespace {

std::string timestamp_sql(int64_t unix_ms) {
  return "to_timestamp(" + std::to_string(unix_ms) + "::double precision / 1000)";
}

std::string float_sql(double value) {
  if (std::isnan(value))
    return "'NaN'::double precision";
  if (std::isinf(value))
    return value > 0 ? "'Infinity'::double precision" : "'-Infinity'::double precision";
  return nlohmann::json(value).dump(); // shortest text that reads back the same
}

} // namespace

std::vector<sample_row> samples_of(const event& e) {
  std::vector<sample_row> result;
  auto payload = nlohmann::json::parse(e.payload, nullptr, false);
  if (!payload.is_object())
    return result;
  auto service = payload.value("service", std::string{});
  auto samples = payload.find("samples");
  if (samples == payload.end() || !samples->is_array())
    return result;
  for (auto& s : *samples) {
    if (!s.is_object() || !s.contains("series") || !s["series"].is_string()
        || !s.contains("value") || !s["value"].is_number())
      continue;
    sample_row row;
    row.service = clean_text(service);
    row.series = clean_text(s["series"].get<std::string>());
    row.value = s["value"].get<double>();
    row.at_unix_ms = s.contains("at") && s["at"].is_number_integer() ? s["at"].get<int64_t>()
                                                                       : e.at_unix_ms;
    if (!row.series.empty())
      result.push_back(std::move(row));
  }
  return result;
}

uint64_t insert_events(pqxx::transaction_base& tx, const std::vector<event>& events) {
  if (events.empty())
    return 0;
  std::string sql = "INSERT INTO events (id, topic, source, at, severity, summary, payload)"
                    " VALUES ";
  std::string samples_sql;
  bool first = true;
  for (auto& e : events) {
    if (!first)
      sql += ",";
    first = false;
    sql += "(" + tx.quote(e.id) + "," + tx.quote(e.topic) + "," + tx.quote(e.source) + ","
           + timestamp_sql(e.at_unix_ms) + "," + tx.quote(e.severity) + ","
           + tx.quote(e.summary) + "," + tx.quote(e.payload) + "::jsonb)";
    if (e.topic.rfind("sample.", 0) == 0)
      for (auto& s : samples_of(e))
        samples_sql += std::string{samples_sql.empty() ? "" : ","} + "(" + tx.quote(e.id)
                       + "," + tx.quote(s.service) + "," + tx.quote(s.series) + ","
                       + timestamp_sql(s.at_unix_ms) + "," + float_sql(s.value) + ")";
  }
  sql += " ON CONFLICT (id) DO NOTHING";
  auto written = tx.exec(sql).affected_rows();
  if (!samples_sql.empty())
    tx.exec("INSERT INTO metric_samples (event_id, service, series, at, value) VALUES "
            + samples_sql + " ON CONFLICT DO NOTHING");
  return written;
}

uint64_t delete_expired(pqxx::transaction_base& tx, uint32_t event_hours, uint32_t sample_hours) {
  auto events = tx.exec("DELETE FROM events WHERE at < now() - interval '"
                        + std::to_string(event_hours) + " hours'");
  auto samples = tx.exec("DELETE FROM metric_samples WHERE at < now() - interval '"
                         + std::to_string(sample_hours) + " hours'");
  return events.affected_rows() + samples.affected_rows();
}

} // namespace vigil::store
