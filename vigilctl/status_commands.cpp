#include "vigilctl/status_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/observability_json.hpp"
#include "vigilctl/render.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl {

namespace {

using json = nlohmann::json;
using row = std::vector<std::string>;

using vigil::now_unix_ms;

std::string fixed(double value, const char* unit, int digits = 0) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f%s", digits, value, unit);
  return buf;
}

/// success %, p50, p95, p99 of a window; dashes when it saw no requests.
row sli_cells(const vigil::sli_snapshot& s) {
  if (s.service.empty() || s.requests == 0)
    return {"-", "-", "-", "-"};
  return {fixed(s.success_ratio * 100, "%", 1), fixed(s.p50_ms, "ms"), fixed(s.p95_ms, "ms"),
          fixed(s.p99_ms, "ms")};
}

int run_status(client& node, bool as_json, std::ostream& out, std::ostream& err) {
  auto r = node.status();
  if (!r)
    return fail(err, r.error(), as_json);
  if (as_json) {
    auto doc = json::array();
    for (auto& h : *r)
      doc.push_back(vigil::to_json(h));
    print_json(out, doc);
    return 0;
  }
  if ((*r).empty()) {
    out << "no service has been observed yet (are probes running?)\n";
    return 0;
  }
  auto now = now_unix_ms();
  std::vector<row> rows{{"SERVICE", "HEALTH", "SUCCESS", "P50", "P95", "P99", "CHANGED",
                         "REASON"}};
  for (auto& h : *r) {
    row cells{printable(h.service), printable(h.health)};
    for (auto& c : sli_cells(h.sli))
      cells.push_back(c);
    cells.push_back(format_age(h.since_unix_ms, now));
    cells.push_back(printable(h.reason));
    rows.push_back(std::move(cells));
  }
  print_table(out, rows);
  return 0;
}

int run_traffic(client& node, const status_line& line, bool as_json, std::ostream& out,
                std::ostream& err) {
  auto slis = node.slis();
  if (!slis)
    return fail(err, slis.error(), as_json);
  auto acked = node.acked_orders();
  if (!acked)
    return fail(err, acked.error(), as_json);
  if (as_json) {
    json doc{{"slis", json::array()}, {"acked_orders", (*acked).size()}};
    for (auto& s : *slis)
      doc["slis"].push_back(vigil::to_json(s));
    if (line.ids)
      doc["acked_ids"] = *acked;
    print_json(out, doc);
    return 0;
  }
  auto now = now_unix_ms();
  if ((*slis).empty()) {
    out << "no SLI window has closed yet\n";
  } else {
    std::vector<row> rows{{"SERVICE", "WINDOW", "REQUESTS", "FAILURES", "SUCCESS", "P50", "P95",
                           "P99", "ENDED"}};
    for (auto& s : *slis) {
      row cells{printable(s.service), fixed(s.window_ms / 1e3, "s", 1),
                std::to_string(s.requests), std::to_string(s.failures)};
      for (auto& c : sli_cells(s))
        cells.push_back(c);
      cells.push_back(format_age(s.window_end_unix_ms, now));
      rows.push_back(std::move(cells));
    }
    print_table(out, rows);
  }
  out << "acknowledged orders: " << (*acked).size() << '\n';
  if (line.ids)
    for (auto& id : *acked)
      out << printable(id) << '\n';
  return 0;
}

} // namespace

void add_status_commands(CLI::App& app, status_line& line, std::string& command_name) {
  auto* status = app.add_subcommand(
    "status", "Show each service's health, SLIs (success %, p50/p95/p99), last change, reason");
  status->group("Commands");
  status->callback([&command_name] { command_name = "status"; });
  auto* traffic = app.add_subcommand(
    "traffic", "Show the synthetic traffic's latest SLI windows and acknowledged orders");
  traffic->group("Commands");
  traffic->callback([&command_name] { command_name = "traffic"; });
  traffic->add_flag("--ids", line.ids, "list every acknowledged order id too");
}

int run_status_command(client& node, const std::string& command, const status_line& line,
                       bool as_json, std::ostream& out, std::ostream& err) {
  if (command == "status")
    return run_status(node, as_json, out, err);
  return run_traffic(node, line, as_json, out, err);
}

} // namespace vigilctl
