#include "actors/store/event_query.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

namespace vigil::store {

namespace {

// LIKE treats % and _ as wildcards: escape them so a prefix is a prefix.
std::string like_prefix(const std::string& prefix) {
  std::string result;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\')
      result += '\\';
    result += c;
  }
  return result + "%";
}

} // namespace

std::vector<event> query_events(const std::string& dsn, int64_t since_unix_ms,
                                const std::string& topic_prefix, uint32_t limit) {
  std::vector<event> result;
  try {
    pqxx::connection conn{dsn};
    pqxx::read_transaction tx{conn};
    auto rows = tx.exec_params(
      "SELECT id, topic, source, round(extract(epoch FROM at) * 1000)::bigint, severity,"
      " summary, payload::text FROM ("
      "  SELECT * FROM events WHERE at >= to_timestamp($1::double precision / 1000)"
      "  AND topic LIKE $2 ORDER BY seq DESC LIMIT $3) recent ORDER BY seq",
      since_unix_ms, like_prefix(topic_prefix), limit);
    for (auto row : rows) {
      event e;
      e.id = row[0].as<std::string>();
      e.topic = row[1].as<std::string>();
      e.source = row[2].as<std::string>();
      e.at_unix_ms = row[3].as<int64_t>();
      e.severity = row[4].as<std::string>();
      e.summary = row[5].as<std::string>();
      e.payload = row[6].as<std::string>();
      result.push_back(std::move(e));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"ops store query: "} + e.what());
  }
  return result;
}

} // namespace vigil::store
