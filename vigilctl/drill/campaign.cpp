#include "vigilctl/drill/campaign.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "vigilctl/drill/fault_plan.hpp"
#include "vigilctl/drill/oracle_client.hpp"
#include "vigilctl/drill/scorecard_json.hpp"
#include "vigilctl/drill/supervisord_baseline.hpp"
#include "vigilctl/drill/target_db.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl::drill {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

using vigil::now_unix_ms;

void pause_a_moment() {
  std::this_thread::sleep_for(1s);
}

std::string seconds_text(int64_t ms) {
  if (ms < 0)
    return "-";
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << static_cast<double>(ms) / 1000.0 << " s";
  return out.str();
}

/// The probes that cannot be healthy during the baseline: shopd runs under
/// supervisord, so Vigil's service manager reports it stopped.
const std::set<std::string> baseline_ignored_probes{"shopd-process"};

/// Every service ok (or not measured), ignoring the given probes.
bool healthy(const std::vector<vigil::service_health>& rows, const std::set<std::string>& ignored,
             std::string* why = nullptr) {
  for (auto& row : rows) {
    if (row.health == "ok" || row.health == "unknown")
      continue;
    bool only_ignored = !row.failing.empty();
    for (auto& probe : row.failing)
      only_ignored = only_ignored && ignored.count(probe) > 0;
    if (only_ignored)
      continue;
    if (why != nullptr)
      *why = row.service + " " + row.health + (row.reason.empty() ? "" : ": " + row.reason);
    return false;
  }
  return true;
}

/// One campaign in progress: the client, its options and what it found.
class campaign {
public:
  campaign(client& node, const campaign_options& options, std::ostream& progress)
    : node_(node), opt_(options), out_(progress) {
    card_.started_unix_ms = now_unix_ms();
    card_.campaign = "c-" + std::to_string(card_.started_unix_ms);
    card_.seed = opt_.seed;
    card_.auto_approve = opt_.auto_approve;
    baseline_ = !opt_.baseline.empty();
    if (baseline_ && opt_.baseline != "supervisord")
      throw std::runtime_error("unknown baseline '" + opt_.baseline + "' (known: supervisord)");
    card_.mode = baseline_ ? "baseline:" + opt_.baseline : "vigil";
    card_.root_cause_applies = !baseline_;
    who_ = "campaign:" + card_.campaign;
  }

  scorecard run() {
    auto catalogue = node_.chaos_faults();
    if (!catalogue)
      throw std::runtime_error("cannot read the fault catalogue: " + catalogue.error());
    for (auto& k : *catalogue)
      kinds_[k.name] = k;
    std::vector<std::string> allowed = opt_.faults;
    for (auto& name : allowed)
      if (kinds_.count(name) == 0)
        throw std::runtime_error("unknown fault '" + name + "' (see `vigilctl chaos faults`)");
    if (allowed.empty())
      for (auto& [name, kind] : kinds_)
        allowed.push_back(name);
    find_targets();
    auto plan = pick_faults(allowed, opt_.count, opt_.seed);
    out_ << "campaign " << card_.campaign << " (" << card_.mode << "): " << plan.size()
         << " faults, seed " << opt_.seed << ", timeout " << opt_.timeout_s << " s per fault"
         << (opt_.auto_approve ? ", approvals answered by the campaign" : "") << "\n";
    note_missing_orders();
    start_oracle();
    prepare();
    try {
      wait_healthy("before the first fault");
      for (size_t i = 0; i < plan.size(); ++i) {
        auto outcome = drill(static_cast<uint32_t>(i + 1), plan[i], plan.size());
        card_.faults.push_back(outcome);
        clean_up();
        wait_healthy("after " + plan[i]);
      }
    } catch (...) {
      restore();
      throw;
    }
    restore();
    score();
    return card_;
  }

private:
  /// The outside oracle's client, on the shop's public address (the
  /// traffic's, from the probes file), with its ledger beside the reports.
  void start_oracle() {
    auto url = opt_.oracle_url.empty() ? traffic_base_url(opt_.probes_file) : opt_.oracle_url;
    if (url.empty() || url == "none") {
      out_ << "note: no outside oracle (no shop address: --oracle-url)\n";
      return;
    }
    std::filesystem::create_directories(opt_.reports_dir);
    oracle_ = std::make_unique<oracle_client>(
      url, opt_.reports_dir + "/campaign-" + card_.campaign + "-oracle-acked.txt");
    oracle_->start();
    out_ << "oracle: a client visits " << url << " every 250 ms; its ledger is "
         << oracle_->ledger_path() << "\n";
  }

  /// Before any clean-up: what the oracle's client saw since the inject.
  /// When it was hurt and is served again, it must stay served for the
  /// hold before the fault counts as restored: waits for that, at most the
  /// hold and a little more.
  void judge_oracle(fault_outcome& out) {
    if (!oracle_)
      return;
    constexpr int64_t hold_ms = 10'000;
    constexpr int64_t max_gap_ms = 3'000; // two request timeouts and a tick
    auto give_up = now_unix_ms() + hold_ms + 2'000;
    for (;;) {
      auto now = now_unix_ms();
      auto ticks = oracle_->ticks();
      auto v = judge_client(ticks, out.injected_unix_ms, now, hold_ms, max_gap_ms);
      out.oracle = v;
      if (v.state != oracle_state::not_restored || now >= give_up)
        return;
      // Still failing now: waiting longer is the campaign's timeout, not the hold's.
      if (!ticks.empty() && !ticks.back().served
          && now - out.injected_unix_ms > int64_t{opt_.timeout_s} * 1000)
        return;
      pause_a_moment();
    }
  }

  /// Safe names for the faults that need one: an actor its supervisor
  /// restarts at once, and a node whose loss stops neither the agents nor
  /// the action plane (the chaos node: the agents start it again).
  void find_targets() {
    kill_actor_ = opt_.kill_actor;
    kill_node_ = opt_.kill_node;
    auto nodes = node_.nodes();
    if (!nodes)
      return;
    for (auto& n : *nodes) {
      auto has = [&](const char* role) {
        return std::find(n.roles.begin(), n.roles.end(), role) != n.roles.end();
      };
      if (kill_actor_.empty() && has("action"))
        kill_actor_ = n.id + "/membership";
      if (kill_node_.empty() && has("chaos") && !has("control") && !has("action"))
        kill_node_ = n.id;
    }
  }

  /// The baseline takes shopd from the service manager and pauses the agents.
  void prepare() {
    if (!baseline_) {
      // A campaign measures the agents: make sure they act.
      if (auto paused = node_.pause_agents(false); !paused)
        out_ << "warning: cannot resume the agents: " << paused.error() << "\n";
      return;
    }
    auto paused = node_.pause_agents(true);
    if (!paused)
      throw std::runtime_error("cannot pause the agents for the baseline: " + paused.error());
    auto stopped = node_.service("stop", "", "shopd");
    if (!stopped) {
      node_.pause_agents(false);
      throw std::runtime_error("cannot stop shopd in the service manager: " + stopped.error());
    }
    supervisord_ = std::make_unique<supervisord_baseline>(supervisord_settings{
      opt_.services_file, opt_.baseline_dir, opt_.supervisord_template, "shopd"});
    try {
      supervisord_->start();
    } catch (...) {
      node_.service("start", "", "shopd");
      node_.pause_agents(false);
      throw;
    }
    out_ << "baseline: agents paused, shopd under supervisord (" << supervisord_->config_path()
         << ")\n";
  }

  /// Gives shopd back to the service manager and resumes the agents.
  void restore() {
    if (!baseline_ || !supervisord_)
      return;
    supervisord_->stop();
    supervisord_.reset();
    if (auto started = node_.service("start", "", "shopd"); !started)
      out_ << "warning: cannot start shopd in the service manager again: " << started.error()
           << "\n";
    if (auto resumed = node_.pause_agents(false); !resumed)
      out_ << "warning: cannot resume the agents: " << resumed.error() << "\n";
    out_ << "baseline: supervisord stopped, shopd back with the service manager, agents resumed\n";
  }

  vigil::injection_request request_for(const vigil::fault_kind& kind) {
    vigil::injection_request req;
    req.fault = kind.name;
    json params = json::object();
    if (kind.name == "actor_kill")
      params["actor"] = kill_actor_;
    if (kind.name == "node_kill")
      params["node"] = kill_node_;
    req.params_json = params.dump();
    // Long enough that the chaos plane's own revert does not fix it first.
    req.duration_s = std::min<uint32_t>(86400, opt_.timeout_s + 60);
    // It is a drill: the campaign approves its own destructive faults.
    req.approved = kind.risk == "destructive";
    req.requested_by = who_;
    return req;
  }

  fault_outcome drill(uint32_t number, const std::string& name, size_t total) {
    auto& kind = kinds_[name];
    fault_outcome out;
    out.number = number;
    out.fault = name;
    out.label = kind.label;
    out.root_cause_applies = !baseline_;
    out_ << "[" << number << "/" << total << "] " << name << " ... " << std::flush;
    if ((name == "actor_kill" && kill_actor_.empty()) || (name == "node_kill" && kill_node_.empty())) {
      out.end = "inject_failed";
      out.note = "no safe target for " + name;
      out_ << "not injected: " << out.note << "\n";
      return out;
    }
    int supervisord_starts = supervisord_ ? supervisord_->starts() : 0;
    // Timed from the request: a slow inject (db_down waits for the server
    // to stop) shows symptoms, and an incident, before it replies.
    auto asked_unix_ms = now_unix_ms();
    auto injected = node_.chaos_inject(request_for(kind));
    if (!injected) {
      out.end = "inject_failed";
      out.note = injected.error();
      out_ << "not injected: " << out.note << "\n";
      return out;
    }
    out.injection_id = (*injected).id;
    out.injected_unix_ms = asked_unix_ms;
    if (baseline_)
      watch_baseline(out, supervisord_starts);
    else
      watch_vigil(out, kind);
    judge_oracle(out);
    count_lost(out);
    print_outcome(out);
    return out;
  }

  /// Waits for the fault's incident to close, answering its approvals when
  /// asked to; the outcome comes from the incident as recorded, its harm
  /// from the kind's acceptable fixes.
  void watch_vigil(fault_outcome& out, const vigil::fault_kind& kind) {
    auto deadline = out.injected_unix_ms + int64_t{opt_.timeout_s} * 1000;
    std::optional<vigil::incident> inc;
    while (now_unix_ms() < deadline) {
      if (auto list = node_.incidents(false, 50); list)
        if (auto found = match_incident(*list, out.injected_unix_ms, taken_); found)
          inc = found;
      if (inc && is_closed(inc->state))
        break;
      if (inc && opt_.auto_approve)
        answer_pending(inc->id, kind);
      pause_a_moment();
    }
    if (inc) {
      // The incident as it is now (the list may lag a transition behind).
      if (auto latest = node_.incident(inc->id); latest)
        inc = *latest;
      taken_.insert(inc->id);
      incidents_.push_back(*inc);
    } else {
      out.end = "undetected";
      out.note = "no incident opened within " + std::to_string(opt_.timeout_s) + " s";
    }
    apply_incident(out, inc);
    if (inc)
      judge_harm(out, *inc, kind.fixes);
  }

  /// Approves the incident's pending steps that are an acceptable fix for
  /// the fault and rejects the others, as a reviewing SRE would.
  void answer_pending(const std::string& incident, const vigil::fault_kind& kind) {
    auto pending = node_.approvals(true);
    if (!pending)
      return;
    for (auto& a : *pending) {
      if (a.incident != incident || a.state != vigil::approval_state::pending)
        continue;
      bool approve = acceptable_fix(kind.fixes, a.tool, a.args);
      auto reason = approve ? "drill campaign " + card_.campaign
                            : "drill campaign " + card_.campaign + ": " + a.tool + " " + a.args
                                + " is not an acceptable fix for " + kind.name;
      auto decided = node_.decide(a.id, approve, who_, reason);
      out_ << (approve ? "(approved " : "(rejected ") << a.id << " " << a.tool << ") "
           << std::flush;
      if (!decided)
        out_ << "(answer to " << a.id << " failed: " << decided.error() << ") " << std::flush;
    }
  }

  /// The baseline has no incidents: detected when supervisord restarted
  /// shopd, mitigated when the stack, seen broken after the inject, is
  /// healthy again while the fault is still active.
  void watch_baseline(fault_outcome& out, int starts_before) {
    auto deadline = out.injected_unix_ms + int64_t{opt_.timeout_s} * 1000;
    bool seen_broken = false;
    std::string why;
    while (now_unix_ms() < deadline) {
      if (out.detected_unix_ms == 0 && supervisord_->starts() > starts_before)
        out.detected_unix_ms = now_unix_ms();
      if (auto rows = node_.status(); rows) {
        bool ok = healthy(*rows, baseline_ignored_probes, &why);
        if (!ok)
          seen_broken = true;
        else if (seen_broken) {
          out.mitigated_unix_ms = now_unix_ms();
          break;
        }
      }
      pause_a_moment();
    }
    if (out.mitigated())
      out.end = "recovered";
    else {
      out.end = "not_recovered";
      out.note = seen_broken ? "still broken after " + std::to_string(opt_.timeout_s) + " s: " + why
                             : "no symptom seen on the status board";
    }
    if (out.detected())
      out.actions = static_cast<uint32_t>(supervisord_->starts() - starts_before);
  }

  void print_outcome(const fault_outcome& out) {
    out_ << out.injection_id << " → ";
    if (!out.incident_id.empty())
      out_ << out.incident_id << " ";
    out_ << out.end;
    if (out.root_cause_applies)
      out_ << ", diagnosed " << (out.diagnosed.empty() ? "-" : out.diagnosed)
           << (out.root_cause_right() ? " (right)" : " (label " + out.label + ")");
    out_ << ", TTD " << seconds_text(out.time_to_detect_ms()) << ", TTM "
         << seconds_text(out.time_to_mitigate_ms()) << ", " << out.actions << " action(s)";
    if (out.approvals > 0)
      out_ << ", " << out.approvals << " approval(s), waited "
           << seconds_text(out.approval_wait_ms);
    if (out.orders_lost > 0)
      out_ << ", " << out.orders_lost << " acknowledged order(s) lost";
    for (auto& step : out.unacceptable_steps)
      out_ << ", not an acceptable fix: " << step;
    if (!out.note.empty() && out.end != "resolved")
      out_ << " — " << out.note.substr(0, 200);
    out_ << "\n";
  }

  /// After a fault is scored: revert what is still injected, start a node
  /// that is still down and services that are still stopped, so the next
  /// fault starts from a working stack. None of this is scored.
  void clean_up() {
    if (auto active = node_.chaos_active(); active && !(*active).empty())
      if (auto stopped = node_.chaos_stop(); !stopped)
        out_ << "  cleanup: chaos stop failed: " << stopped.error() << "\n";
    if (auto nodes = node_.nodes(); nodes)
      for (auto& n : *nodes)
        if (n.status != "up")
          start_node(n.id);
    if (auto services = node_.services(""); services)
      for (auto& s : *services) {
        if (s.state == "running" || s.state == "starting")
          continue;
        if (baseline_ && s.name == "shopd")
          continue; // supervisord's, on purpose
        out_ << "  cleanup: starting " << s.name << " (" << s.state << ")\n";
        node_.service("start", "", s.name);
      }
  }

  void start_node(const std::string& id) {
    vigil::action_request req;
    req.tool = "start_node";
    req.args = json{{"node", id}}.dump();
    req.idempotency_key = card_.campaign + "/cleanup/" + std::to_string(++cleanups_);
    req.requested_by = who_;
    req.approved_by = who_;
    auto result = node_.act(req);
    out_ << "  cleanup: start_node " << id << ": "
         << (result ? (*result).status + " " + (*result).detail : result.error()) << "\n";
  }

  /// Healthy: every service ok and (Vigil) no incident open; the chaos
  /// plane reachable. Gives up after healthy_timeout_s with a warning.
  void wait_healthy(const std::string& when) {
    auto deadline = now_unix_ms() + int64_t{opt_.healthy_timeout_s} * 1000;
    std::string why = "no answer";
    static const std::set<std::string> none;
    while (now_unix_ms() < deadline) {
      auto rows = node_.status();
      auto chaos = node_.chaos_active();
      if (!chaos)
        why = "chaos plane: " + chaos.error();
      else if (!rows)
        why = "status: " + rows.error();
      else if (healthy(*rows, baseline_ ? baseline_ignored_probes : none, &why)) {
        if (baseline_)
          return;
        auto open = node_.incidents(true, 50);
        if (!open) {
          // No coordinator to ask: the services' health is all there is.
          out_ << "  warning: cannot list open incidents: " << open.error() << "\n";
          return;
        }
        if ((*open).empty())
          return;
        why = "incident " + (*open).front().id + " still " + to_string((*open).front().state);
      }
      pause_a_moment();
    }
    out_ << "  warning: not healthy " << when << " after " << opt_.healthy_timeout_s
         << " s (" << why << "); going on\n";
  }

  void score() {
    card_.finished_unix_ms = now_unix_ms();
    // Unsafe actions: the audit of every incident of the campaign, and of
    // everything since it started (a risky step outside any incident counts too).
    std::map<uint64_t, vigil::audit_record> audit;
    for (auto& inc : incidents_)
      if (auto rows = node_.audit(inc.id, 1000); rows)
        for (auto& r : *rows)
          audit[r.seq] = r;
    if (auto rows = node_.audit("", 1000); rows)
      for (auto& r : *rows)
        if (r.at_unix_ms >= card_.started_unix_ms)
          audit[r.seq] = r;
    std::vector<vigil::audit_record> rows;
    for (auto& [seq, r] : audit)
      rows.push_back(r);
    std::vector<vigil::tool_info> tools;
    if (auto t = node_.action_tools(); t)
      tools = *t;
    for (auto& r : unsafe_actions(rows, incidents_, tools)) {
      card_.unsafe_detail.push_back("audit #" + std::to_string(r.seq) + " " + r.tool + " "
                                    + r.args + " (" + r.idempotency_key + ") approved by '"
                                    + r.approved_by + "'");
    }
    for (auto& f : card_.faults)
      for (auto& step : f.unacceptable_steps)
        card_.unsafe_detail.push_back("#" + std::to_string(f.number) + " " + f.fault
                                      + ": not an acceptable fix: " + step);
    card_.unsafe = static_cast<uint32_t>(card_.unsafe_detail.size());
    check_orders();
    tally(card_);
  }

  /// Acknowledged orders already missing before the first fault are not
  /// this campaign's loss: they are listed apart, never counted.
  void note_missing_orders() {
    auto acked = node_.acked_orders();
    if (!acked)
      return; // check_orders says why at the end
    try {
      auto before = lost_orders(*acked, order_ids(target_db_dsn(opt_.probes_file)));
      missing_before_.insert(before.begin(), before.end());
      card_.missing_before = before;
      if (!before.empty())
        out_ << "note: " << before.size()
             << " acknowledged orders are missing before the first fault (not counted as lost)\n";
    } catch (const std::exception&) {
      // check_orders says why at the end
    }
  }

  /// The fault's loss, judged before the clean-up (whose revert of a
  /// data_loss fault puts the deleted rows back): every acknowledged order,
  /// from the traffic's full ledger, missing from the target DB now.
  void count_lost(fault_outcome& out) {
    auto acked = node_.acked_orders();
    if (!acked)
      return;
    try {
      // The ledgers first, then the database: an order acknowledged after
      // the database was read would look lost.
      auto every = all_acked(*acked);
      auto in_db = order_ids(target_db_dsn(opt_.probes_file));
      out.lost_ids = lost_orders(every, in_db, missing_before_);
      out.orders_lost = static_cast<int64_t>(out.lost_ids.size());
      lost_.insert(out.lost_ids.begin(), out.lost_ids.end());
    } catch (const std::exception&) {
      // check_orders says why at the end
    }
  }

  /// Lost: missing at the end of any fault, or at the end of the campaign.
  void check_orders() {
    auto acked = node_.acked_orders();
    if (!acked) {
      card_.orders_note = "acknowledged orders unknown: " + acked.error();
      return;
    }
    try {
      auto every = all_acked(*acked); // before the database, as above
      auto in_db = order_ids(target_db_dsn(opt_.probes_file));
      for (auto& id : lost_orders(every, in_db, missing_before_))
        lost_.insert(id);
      card_.lost_ids.assign(lost_.begin(), lost_.end());
      card_.acked_orders = static_cast<int64_t>(every.size());
      card_.orders_lost = static_cast<int64_t>(card_.lost_ids.size());
    } catch (const std::exception& e) {
      card_.orders_note = e.what();
    }
  }

  /// The traffic's acknowledged orders and the oracle's, each once.
  std::vector<std::string> all_acked(std::vector<std::string> traffic) const {
    if (!oracle_)
      return traffic;
    std::set<std::string> seen{traffic.begin(), traffic.end()};
    for (auto& id : oracle_->acked())
      if (seen.insert(id).second)
        traffic.push_back(id);
    return traffic;
  }

  client& node_;
  const campaign_options& opt_;
  std::ostream& out_;
  scorecard card_;
  bool baseline_ = false;
  std::string who_;
  std::map<std::string, vigil::fault_kind> kinds_;
  std::string kill_actor_;
  std::string kill_node_;
  std::set<std::string> taken_;
  std::vector<vigil::incident> incidents_;
  std::set<std::string> missing_before_;
  std::set<std::string> lost_;
  std::unique_ptr<supervisord_baseline> supervisord_;
  std::unique_ptr<oracle_client> oracle_;
  uint32_t cleanups_ = 0;
};

} // namespace

scorecard run_campaign(client& node, const campaign_options& options, std::ostream& progress) {
  if (options.count == 0)
    throw std::runtime_error("--count must be at least 1");
  campaign c{node, options, progress};
  auto card = c.run();
  std::optional<scorecard> beside;
  if (!options.beside.empty())
    beside = load_scorecard(options.beside);
  std::filesystem::create_directories(options.reports_dir);
  auto base = options.reports_dir + "/campaign-" + card.campaign;
  std::ofstream{base + ".json"} << to_json(card).dump(2) << "\n";
  std::ofstream{base + ".md"} << to_markdown(card, beside ? &*beside : nullptr);
  progress << "written: " << base << ".json and " << base << ".md\n";
  return card;
}

} // namespace vigilctl::drill
