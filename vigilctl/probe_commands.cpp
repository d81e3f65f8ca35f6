#include "vigilctl/probe_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "messages/observability_json.hpp"
#include "messages/unix_time.hpp"
#include "vigilctl/render.hpp"

namespace vigilctl {

namespace {

using vigil::now_unix_ms;

using json = nlohmann::json;

std::string number(double x, const char* fmt) {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

} // namespace

void render_probes(std::ostream& out, const std::vector<vigil::probe_result>& results,
                   format fmt, int64_t now_unix_ms) {
  if (fmt == format::json) {
    auto list = json::array();
    for (auto& r : results)
      list.push_back(vigil::to_json(r));
    print_json(out, list);
    return;
  }
  if (results.empty()) {
    out << "no probe results yet\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{
    {"PROBE", "KIND", "TARGET", "STATUS", "LATENCY", "AGE", "DETAIL"}};
  for (auto& r : results)
    rows.push_back({r.probe, r.kind, r.target, r.status, number(r.latency_ms, "%.1f ms"),
                    format_age(r.at_unix_ms, now_unix_ms), r.detail});
  print_table(out, rows);
}

void render_metrics(std::ostream& out, const std::vector<vigil::metric_sample>& samples,
                    format fmt, int64_t now_unix_ms) {
  if (fmt == format::json) {
    auto list = json::array();
    for (auto& s : samples)
      list.push_back({{"series", s.series}, {"value", s.value}, {"at", s.at_unix_ms}});
    print_json(out, list);
    return;
  }
  std::vector<std::vector<std::string>> rows{{"SERIES", "VALUE", "AGE"}};
  for (auto& s : samples)
    rows.push_back({s.series, number(s.value, "%.10g"), format_age(s.at_unix_ms, now_unix_ms)});
  print_table(out, rows);
}

int run_probes(client& node, format fmt, std::ostream& out, std::ostream& err) {
  auto r = node.probes();
  if (!r) {
    render_error(err, r.error(), fmt);
    return 1;
  }
  render_probes(out, *r, fmt, now_unix_ms());
  return 0;
}

int run_metrics(client& node, const std::string& service, format fmt, std::ostream& out,
                std::ostream& err) {
  auto r = node.metrics(service);
  if (!r) {
    render_error(err, r.error(), fmt);
    return 1;
  }
  render_metrics(out, *r, fmt, now_unix_ms());
  return 0;
}

} // namespace vigilctl
