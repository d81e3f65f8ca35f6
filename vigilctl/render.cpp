// Text tables, indented trees and JSON documents for vigilctl's replies.
#include "vigilctl/render.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vigilctl {

namespace {

using json = nlohmann::ordered_json;


std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string result;
  for (const auto& item : items) {
    if (!result.empty())
      result += sep;
    result += item;
  }
  return result;
}

using row = std::vector<std::string>;


std::string status_text(const vigil::node_info& node) {
  if (node.status == "down" && !node.status_reason.empty())
    return "down (" + printable(node.status_reason) + ")";
  return printable(node.status);
}

json to_json(const vigil::node_info& node) {
  return json{{"id", node.id},
              {"host", node.host},
              {"port", node.port},
              {"roles", node.roles},
              {"status", node.status},
              {"status_reason", node.status_reason},
              {"last_heartbeat_unix_ms", node.last_heartbeat_unix_ms},
              {"status_since_unix_ms", node.status_since_unix_ms},
              {"actors", node.actors}};
}

json to_json(const vigil::tree_node& node) {
  auto children = json::array();
  for (const auto& child : node.children)
    children.push_back(to_json(child));
  return json{{"path", node.path},
              {"kind", node.kind},
              {"strategy", node.strategy},
              {"restart", node.restart},
              {"status", node.status},
              {"restarts", node.restarts},
              {"last_exit_reason", node.last_exit_reason},
              {"last_exit_unix_ms", node.last_exit_unix_ms},
              {"children", std::move(children)}};
}

std::string last_segment(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos || slash + 1 == path.size())
    return path.empty() ? "(unnamed)" : path;
  return path.substr(slash + 1);
}

void print_tree(std::ostream& out, const vigil::tree_node& node, size_t depth,
                int64_t now_unix_ms) {
  std::string line(depth * 2, ' ');
  line += printable(last_segment(node.path));
  line += ' ' + printable(node.kind);
  if (node.kind == "supervisor" && !node.strategy.empty())
    line += ' ' + printable(node.strategy);
  line += ' ' + printable(node.status);
  line += " restarts=" + std::to_string(node.restarts);
  if (!node.last_exit_reason.empty()) {
    line += " last_exit=" + printable(node.last_exit_reason);
    if (node.last_exit_unix_ms != 0)
      line += " (" + format_age(node.last_exit_unix_ms, now_unix_ms) + ")";
  }
  out << line << '\n';
  for (const auto& child : node.children)
    print_tree(out, child, depth + 1, now_unix_ms);
}

json to_json(const vigil::service_status& s) {
  return json{{"name", s.name},
              {"state", s.state},
              {"pid", s.pid},
              {"exit_code", s.exit_code},
              {"signal", s.signal},
              {"oom_killed", s.oom_killed},
              {"restarts", s.restarts},
              {"started_unix_ms", s.started_unix_ms},
              {"exited_unix_ms", s.exited_unix_ms},
              {"rss_bytes", s.rss_bytes},
              {"log_path", s.log_path},
              {"ready", s.ready},
              {"detail", s.detail},
              {"process", vigil::to_string(s.activity)},
              {"config_changed", s.config_changed}};
}

std::string megabytes(uint64_t bytes) {
  if (bytes == 0)
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fM", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

/// When the current state began: the start while it runs, else the exit.
std::string since_text(const vigil::service_status& s, int64_t now_unix_ms) {
  if (s.state == "running" || s.state == "starting" || s.state == "stopping")
    return "started " + format_age(s.started_unix_ms, now_unix_ms);
  if (s.exited_unix_ms != 0)
    return "ended " + format_age(s.exited_unix_ms, now_unix_ms);
  return "-";
}

} // namespace

std::string format_age(int64_t then_unix_ms, int64_t now_unix_ms) {
  if (then_unix_ms <= 0)
    return "never";
  // Clocks of different hosts disagree a little; a future stamp reads as now.
  auto ms = std::max<int64_t>(0, now_unix_ms - then_unix_ms);
  char buf[32];
  if (ms < 60'000)
    std::snprintf(buf, sizeof(buf), "%.1fs ago", static_cast<double>(ms) / 1e3);
  else if (ms < 3'600'000)
    std::snprintf(buf, sizeof(buf), "%lldm ago",
                  static_cast<long long>(ms / 60'000));
  else if (ms < 86'400'000)
    std::snprintf(buf, sizeof(buf), "%lldh ago",
                  static_cast<long long>(ms / 3'600'000));
  else
    std::snprintf(buf, sizeof(buf), "%lldd ago",
                  static_cast<long long>(ms / 86'400'000));
  return buf;
}

void render_nodes(std::ostream& out, const std::vector<vigil::node_info>& nodes,
                  format fmt, int64_t now_unix_ms) {
  if (fmt == format::json) {
    auto doc = json::array();
    for (const auto& node : nodes)
      doc.push_back(to_json(node));
    print_json(out, doc);
    return;
  }
  std::vector<row> rows{
    {"NODE", "ADDRESS", "ROLES", "STATUS", "LAST HEARTBEAT", "ACTORS"}};
  for (const auto& node : nodes)
    rows.push_back({printable(node.id),
                    printable(node.host) + ":" + std::to_string(node.port),
                    printable(join(node.roles, ",")), status_text(node),
                    format_age(node.last_heartbeat_unix_ms, now_unix_ms),
                    std::to_string(node.actors.size())});
  print_table(out, rows);
}

void render_trees(std::ostream& out, const std::vector<vigil::tree_node>& trees,
                  format fmt, int64_t now_unix_ms) {
  if (fmt == format::json) {
    auto doc = json::array();
    for (const auto& tree : trees)
      doc.push_back(to_json(tree));
    print_json(out, doc);
    return;
  }
  for (const auto& tree : trees)
    print_tree(out, tree, 0, now_unix_ms);
}

void render_ping(std::ostream& out, const vigil::ping_result& result,
                 format fmt) {
  if (fmt == format::json) {
    print_json(out, json{{"node", result.node},
                         {"round_trip_us", result.round_trip_us}});
    return;
  }
  out << printable(result.node) << ": round trip " << result.round_trip_us
      << " us\n";
}

void render_ack(std::ostream& out, const vigil::admin_ack& ack,
                const std::string& verb, format fmt) {
  if (fmt == format::json) {
    print_json(out, json{{"target", ack.target},
                         {"node", ack.node},
                         {"detail", ack.detail}});
    return;
  }
  std::string line = verb + ' ' + printable(ack.target);
  if (!ack.node.empty() && ack.node != ack.target)
    line += " on " + printable(ack.node);
  if (!ack.detail.empty())
    line += " (" + printable(ack.detail) + ")";
  out << line << '\n';
}

void render_services(std::ostream& out, const std::vector<vigil::service_status>& services,
                     format fmt, int64_t now_unix_ms) {
  if (fmt == format::json) {
    auto doc = json::array();
    for (const auto& s : services)
      doc.push_back(to_json(s));
    print_json(out, doc);
    return;
  }
  std::vector<row> rows{{"SERVICE", "STATE", "PID", "READY", "RSS", "SINCE", "RESTARTS", "DETAIL"}};
  for (const auto& s : services)
    rows.push_back({printable(s.name), printable(s.state),
                    s.pid > 0 ? std::to_string(s.pid) : "-", s.ready ? "yes" : "no",
                    megabytes(s.rss_bytes), since_text(s, now_unix_ms),
                    std::to_string(s.restarts), printable(s.detail)});
  print_table(out, rows);
}

void render_service(std::ostream& out, const vigil::service_status& s, format fmt,
                    int64_t now_unix_ms) {
  if (fmt == format::json) {
    print_json(out, to_json(s));
    return;
  }
  std::string line = printable(s.name) + ": " + printable(s.state);
  if (s.pid > 0)
    line += " pid=" + std::to_string(s.pid);
  if (s.activity != vigil::process_activity::none)
    line += std::string{" process="} + vigil::to_string(s.activity);
  line += std::string{" ready="} + (s.ready ? "yes" : "no");
  if (s.config_changed)
    line += " config=changed-since-last-healthy-start";
  if (s.rss_bytes > 0)
    line += " rss=" + megabytes(s.rss_bytes);
  line += " restarts=" + std::to_string(s.restarts) + " (" + since_text(s, now_unix_ms) + ")";
  if (!s.detail.empty())
    line += " - " + printable(s.detail);
  out << line << '\n' << "  log: " << printable(s.log_path) << '\n';
}

void render_error(std::ostream& err, const std::string& message, format fmt) {
  if (fmt == format::json) {
    err << json{{"error", message}}.dump(-1, ' ', false,
                                          json::error_handler_t::replace)
        << '\n';
    return;
  }
  err << "vigilctl: " << printable(message) << '\n';
}

/// Strings come from the network: keep control characters (terminal escapes,
/// newlines) out of the text output.
std::string printable(const std::string& text) {
  std::string result = text;
  for (auto& c : result)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '?';
  return result;
}


void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i)
      widths[i] = std::max(widths[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line.append(widths[i] - r[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out << line << '\n';
  }
}

void print_json(std::ostream& out, const nlohmann::json& doc) {
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_json(std::ostream& out, const nlohmann::ordered_json& doc) {
  out << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

int fail(std::ostream& err, const std::string& why, bool as_json) {
  render_error(err, why, as_json ? format::json : format::text);
  return 1;
}

std::string time_of_day(int64_t unix_ms) {
  auto secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm parts{};
  gmtime_r(&secs, &parts);
  char text[32];
  std::snprintf(text, sizeof text, "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min,
                parts.tm_sec, static_cast<int>(unix_ms % 1000));
  return text;
}

std::string date_time(int64_t unix_ms) {
  auto t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

} // namespace vigilctl
