#include "vigilctl/drill_commands.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "vigilctl/drill/scorecard.hpp"
#include "vigilctl/drill/scorecard_json.hpp"
#include "vigilctl/render.hpp"

namespace vigilctl {

void add_drill_command(CLI::App& app, drill_line& line, std::string& command_name) {
  auto* drill = app.add_subcommand("drill", "Drill campaigns: inject faults one by one and score "
                                            "how Vigil handles them");
  drill->group("Commands");
  drill->require_subcommand(1);
  drill->callback([&command_name] { command_name = "drill"; });
  auto& c = line.campaign;
  auto* campaign = drill->add_subcommand(
    "campaign", "Inject N faults (random order, fixed seed), wait for each incident to be "
                "resolved or escalated, print and write the scorecard (var/reports/campaign-ID.*)");
  campaign->callback([&line] { line.action = "campaign"; });
  campaign->add_option("--count", c.count, "faults to inject (each kind at least once per 16)")
    ->check(CLI::Range(1, 10000));
  campaign->add_option("--seed", c.seed, "seed: the same seed, the same faults in the same order");
  campaign->add_option("--faults", c.faults, "allowed faults (default: the whole catalogue)")
    ->delimiter(',');
  campaign->add_flag("--auto-approve", c.auto_approve,
                     "answer the campaign's approval requests (as campaign:ID): approve the "
                     "fault's acceptable fixes, reject the rest; the wait is excluded from the "
                     "timings either way");
  campaign->add_option("--timeout-s", c.timeout_s, "per fault: seconds until it counts as not handled")
    ->check(CLI::Range(10, 86400));
  campaign->add_option("--healthy-timeout-s", c.healthy_timeout_s,
                       "per fault: seconds to wait for a healthy stack before the next")
    ->check(CLI::Range(10, 86400));
  campaign->add_option("--baseline", c.baseline,
                       "run the baseline instead of Vigil: agents paused, shopd under supervisord")
    ->check(CLI::IsMember({"supervisord"}));
  campaign->add_option("--beside", c.beside,
                       "a campaign JSON (another mode) to put side by side in the Markdown");
  campaign->add_option("--reports-dir", c.reports_dir, "where the scorecard goes");
  campaign->add_option("--probes", c.probes_file,
                       "probes file whose target-db probe reaches the target DB (lost orders)");
  campaign->add_option("--oracle-url", c.oracle_url,
                       "the shop's public address for the outside oracle's client (default: the "
                       "probes file's traffic base_url; none: no oracle)");
  campaign->add_option("--kill-actor", c.kill_actor,
                       "actor_kill's target (default: <action node>/membership)");
  campaign->add_option("--kill-node", c.kill_node, "node_kill's target (default: the chaos node)");
  auto& r = line.report;
  auto* report = drill->add_subcommand(
    "report", "Print a stored campaign's scorecard and every miss with its incident and the "
              "oracle's evidence (no node needed)");
  report->callback([&line] { line.action = "report"; });
  report->add_option("campaign", r.campaign, "campaign id (c-...) or a campaign JSON file")
    ->required();
  report->add_option("--reports-dir", r.reports_dir, "where campaigns were written")
    ->capture_default_str();
  report->add_flag("--markdown", r.markdown, "the full Markdown report instead of the table");
}

std::string report_path(const report_options& opt) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(opt.campaign, ec))
    return opt.campaign;
  auto id = opt.campaign;
  if (id.rfind("campaign-", 0) == 0)
    id = id.substr(9);
  if (id.size() > 5 && id.compare(id.size() - 5, 5, ".json") == 0)
    id = id.substr(0, id.size() - 5);
  return opt.reports_dir + "/campaign-" + id + ".json";
}

namespace {

void print_report(const report_options& opt, bool as_json, std::ostream& out) {
  auto card = drill::load_scorecard(report_path(opt));
  if (as_json)
    print_json(out, drill::to_json(card));
  else if (opt.markdown)
    out << drill::to_markdown(card);
  else {
    out << drill::to_text(card);
    auto missed = drill::misses_text(card, "  ");
    out << (missed.empty() ? "misses: none\n" : "misses:\n" + missed);
  }
}

void print_campaign(client& node, const drill::campaign_options& opt, bool as_json,
                    std::ostream& out, std::ostream& err) {
  // With --json, progress goes to stderr so stdout stays one JSON document.
  auto card = drill::run_campaign(node, opt, as_json ? err : out);
  if (as_json)
    print_json(out, drill::to_json(card));
  else
    out << "\n" << drill::to_text(card);
}

} // namespace

int run_drill(client& node, const drill_line& line, bool as_json, std::ostream& out,
              std::ostream& err) {
  if (line.action != "campaign" && line.action != "report") {
    err << "vigilctl: unknown drill command '" << line.action << "'\n";
    return 1;
  }
  try {
    if (line.action == "report")
      print_report(line.report, as_json, out);
    else
      print_campaign(node, line.campaign, as_json, out, err);
    return 0;
  } catch (const std::exception& e) {
    if (as_json)
      err << nlohmann::json{{"error", e.what()}}.dump() << "\n";
    else
      err << "vigilctl: drill " << line.action << ": " << e.what() << "\n";
    return 1;
  }
}

} // namespace vigilctl
