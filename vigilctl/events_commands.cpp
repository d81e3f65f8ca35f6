#include "vigilctl/events_commands.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "vigilctl/render.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;

using vigil::now_unix_ms;

bool all_digits(const std::string& text) {
  return !text.empty()
         && std::all_of(text.begin(), text.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

/// "2026-11-27 08:05:03.123" in UTC.
std::string utc_time(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(unix_ms % 1000));
  return std::string{buf} + ms;
}

json event_json(const vigil::event& e) {
  auto payload = json::parse(e.payload, nullptr, false);
  return {{"id", e.id},
          {"topic", e.topic},
          {"source", e.source},
          {"at", e.at_unix_ms},
          {"severity", e.severity},
          {"summary", e.summary},
          {"payload", payload.is_discarded() ? json(e.payload) : payload}};
}

int run_events(client& node, const events_line& line, bool as_json, std::ostream& out,
               std::ostream& err) {
  auto since = parse_since(line.since, now_unix_ms());
  if (!since)
    return fail(err,
                "--since '" + line.since
                  + "' is not a duration (10m, 2h, 30s, 1d), an ISO time or unix ms",
                as_json);
  auto r = node.events(*since, line.topic, line.limit);
  if (!r)
    return fail(err, r.error(), as_json);
  auto& events = *r;
  if (as_json) {
    json doc = json::array();
    for (auto& e : events)
      doc.push_back(event_json(e));
    print_json(out, doc);
    return 0;
  }
  if (events.empty()) {
    out << "no events since " << utc_time(*since) << " UTC"
        << (line.topic.empty() ? "" : " on topics starting with '" + line.topic + "'") << '\n';
    return 0;
  }
  for (auto& e : events)
    out << utc_time(e.at_unix_ms) << "  " << printable(e.severity) << "  "
        << printable(e.topic) << "  " << printable(e.summary) << "  (" << printable(e.source)
        << ")\n";
  return 0;
}

int run_bus(client& node, bool as_json, std::ostream& out, std::ostream& err) {
  auto r = node.bus_stats();
  if (!r)
    return fail(err, r.error(), as_json);
  auto& s = *r;
  if (as_json) {
    print_json(out, json{{"published", s.published},
                          {"subscribers", s.subscribers},
                          {"written", s.written},
                          {"queued", s.queued},
                          {"spooled", s.spooled},
                          {"store_up", s.store_up},
                          {"store_error", s.store_error}});
    return 0;
  }
  out << "published    " << s.published << '\n'
      << "subscribers  " << s.subscribers << '\n'
      << "ops store    " << (s.store_up ? "up" : "down")
      << (s.store_error.empty() ? "" : " (" + printable(s.store_error) + ")") << '\n'
      << "written      " << s.written << '\n'
      << "queued       " << s.queued << '\n'
      << "spooled      " << s.spooled << '\n';
  return 0;
}

} // namespace

std::optional<int64_t> parse_since(const std::string& text, int64_t now_ms) {
  if (text.empty())
    return std::nullopt;
  if (all_digits(text)) {
    if (text.size() > 15)
      return std::nullopt;
    return std::stoll(text);
  }
  // A duration back from now: digits and one unit.
  auto unit = text.back();
  auto number = text.substr(0, text.size() - 1);
  if (all_digits(number) && number.size() <= 9) {
    int64_t n = std::stoll(number);
    switch (unit) {
      case 's': return now_ms - n * 1000;
      case 'm': return now_ms - n * 60 * 1000;
      case 'h': return now_ms - n * 3600 * 1000;
      case 'd': return now_ms - n * 24 * 3600 * 1000;
      default: break;
    }
  }
  // ISO time in UTC: 2026-11-27T08:00[:00][Z], a space allowed for the T.
  std::tm tm{};
  auto iso = text;
  if (!iso.empty() && iso.back() == 'Z')
    iso.pop_back();
  for (auto format : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                      "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    tm = std::tm{};
    auto end = strptime(iso.c_str(), format, &tm);
    if (end != nullptr && *end == '\0')
      return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

void add_events_commands(CLI::App& app, events_line& line, std::string& command_name) {
  auto* events = app.add_subcommand(
    "events", "Recent events from the bus (older ones from the ops store), oldest first");
  events->group("Commands");
  events->add_option("--since", line.since,
                     "from when: 10m, 2h, 30s, 1d, an ISO time (UTC) or unix ms (default 10m)")
    ->type_name("WHEN");
  events->add_option("--topic", line.topic, "only topics starting with PREFIX, e.g. probe.")
    ->type_name("PREFIX");
  events->add_option("--limit", line.limit, "at most N events, the latest (default 50)")
    ->type_name("N")
    ->check(CLI::Range(1u, 10000u));
  events->callback([&command_name] { command_name = "events"; });
  auto* bus = app.add_subcommand("bus", "The event bus and its ops store writer: counts, spool");
  bus->group("Commands");
  bus->callback([&command_name] { command_name = "bus"; });
}

int run_events_command(client& node, const std::string& command, const events_line& line,
                       bool json, std::ostream& out, std::ostream& err) {
  if (command == "bus")
    return run_bus(node, json, out, err);
  return run_events(node, line, json, out, err);
}

} // namespace vigilctl
