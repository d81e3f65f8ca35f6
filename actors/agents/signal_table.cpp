#include "actors/agents/signal_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace vigil::agents {

namespace {

/// The shortest text that reads back as the same number: 503, 0.5, 1e+21.
std::string number_text(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15)
    return std::to_string(static_cast<long long>(x));
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x)
      break;
  }
  return buf;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

int status_severity(const std::string& status) {
  if (status == "ok")
    return 0;
  if (status == "degraded")
    return 1;
  if (status == "down")
    return 2;
  return -1;
}

void signal_table::set(signal_value value) {
  auto name = value.name;
  signals_[name] = std::move(value);
}

void signal_table::set(const std::string& name, const std::string& text, int64_t at_unix_ms) {
  set(signal_value{name, text, 0, false, at_unix_ms});
}

void signal_table::set(const std::string& name, double number, int64_t at_unix_ms) {
  set(signal_value{name, number_text(number), number, true, at_unix_ms});
}

void signal_table::erase(const std::string& name) {
  signals_.erase(name);
}

void signal_table::erase_prefix(const std::string& prefix) {
  auto it = signals_.lower_bound(prefix);
  while (it != signals_.end() && starts_with(it->first, prefix))
    it = signals_.erase(it);
}

std::string probe_group_of(const std::string& signal) {
  const std::string prefix = "probe.";
  if (signal.rfind(prefix, 0) != 0)
    return {};
  auto last = signal.rfind('.');
  if (last == std::string::npos || last <= prefix.size())
    return {};
  auto group = signal.substr(prefix.size(), last - prefix.size());
  return group.find('.') == std::string::npos ? std::string{} : group;
}

void signal_table::observe(const probe_result& r, int64_t now_unix_ms) {
  if (r.probe.empty() || r.target.empty() || r.kind.empty())
    return;
  auto group = r.target + "." + r.kind;
  groups_[group][r.probe] = r;
  refresh_group(group, now_unix_ms);
  // What a log says stays a while: a diagnosis may come after the window.
  auto at = r.at_unix_ms > 0 ? r.at_unix_ms : now_unix_ms;
  if (r.kind == "log" && r.status != "ok") {
    auto pos = r.detail.find("; last: ");
    auto line = pos == std::string::npos ? r.detail : r.detail.substr(pos + 8);
    set("log." + r.target, line, at);
    log_seen_["log." + r.target] = now_unix_ms;
  }
  if (r.kind == "process") {
    if (auto oom = r.values.find("oom_killed"); oom != r.values.end() && oom->second > 0)
      remember_memory(r.target, "oom_recent", 1, at, now_unix_ms);
    if (auto growth = r.values.find("rss_growth_mb_per_s"); growth != r.values.end())
      remember_memory(r.target, "rss_growth_peak", growth->second, at, now_unix_ms);
  }
  // A Vigil node's supervisor restarted an actor: which one, from the
  // metrics probe's "vigil_supervisor_restarts_total{...,path=\"X\"} rose".
  if (r.kind == "metrics" && r.status != "ok") {
    static const std::string series = "vigil_supervisor_restarts_total{";
    int restarts = 0;
    for (auto pos = r.detail.find(series); pos != std::string::npos;
         pos = r.detail.find(series, pos + 1)) {
      auto end = r.detail.find('}', pos);
      auto labels = r.detail.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      auto label = [&](const std::string& key) {
        auto k = labels.find(key + "=\"");
        if (k == std::string::npos)
          return std::string{};
        k += key.size() + 2;
        return labels.substr(k, labels.find('"', k) - k);
      };
      ++restarts;
      set("vigil.tree.actor", label("path"), at);
      set("vigil.tree.node", label("node"), at);
      log_seen_["vigil.tree.actor"] = now_unix_ms;
      log_seen_["vigil.tree.node"] = now_unix_ms;
    }
    if (restarts > 0) {
      set("vigil.tree.restarts", static_cast<double>(restarts), at);
      set("vigil.tree.status", "restarted", at);
      log_seen_["vigil.tree.restarts"] = now_unix_ms;
    }
  }
  // The node whose actor restarted scrapes clean again: the tree is whole
  // (what restart_actor's check waits for).
  if (r.kind == "metrics" && r.status == "ok") {
    auto node = signals_.find("vigil.tree.node");
    if (node != signals_.end() && node->second.text == r.target)
      set("vigil.tree.status", "running", at);
  }
  if (r.kind == "postgres") {
    auto it = r.values.find("auth_failures_recent");
    if (it != r.values.end() && it->second > 0) {
      set("log." + r.target,
          "password authentication failed (" + number_text(it->second)
            + " lines in the server log)",
          at);
      log_seen_["log." + r.target] = now_unix_ms;
    }
  }
}

probe_groups signal_table::groups() const {
  probe_groups out;
  for (auto& [group, probes] : groups_)
    for (auto& [name, result] : probes)
      out[group].insert(name);
  return out;
}

void signal_table::refresh_group(const std::string& group, int64_t now_unix_ms) {
  auto& probes = groups_[group];
  std::vector<const probe_result*> order;
  for (auto& [name, r] : probes)
    order.push_back(&r);
  // Best first, so the worst probe's values are written last and win.
  std::stable_sort(order.begin(), order.end(), [](auto* x, auto* y) {
    return status_severity(x->status) < status_severity(y->status);
  });
  auto prefix = "probe." + group + ".";
  erase_prefix(prefix);
  int64_t at = 0;
  for (auto* r : order) {
    at = std::max(at, r->at_unix_ms > 0 ? r->at_unix_ms : now_unix_ms);
    for (auto& [key, value] : r->values)
      set(prefix + key, value, r->at_unix_ms > 0 ? r->at_unix_ms : now_unix_ms);
  }
  auto& worst = *order.back();
  set(prefix + "status", worst.status, at);
  std::string detail;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if ((*it)->status == "ok" && worst.status != "ok")
      break;
    if (!detail.empty())
      detail += "; ";
    detail += (*it)->probe + ": " + (*it)->detail;
  }
  set(prefix + "detail", detail, at);
}

void signal_table::observe(const sli_snapshot& s, int64_t now_unix_ms) {
  if (s.service.empty())
    return;
  auto at = s.window_end_unix_ms > 0 ? s.window_end_unix_ms : now_unix_ms;
  auto prefix = "sli." + s.service + ".";
  set(prefix + "success_ratio", s.success_ratio, at);
  set(prefix + "p50_ms", s.p50_ms, at);
  set(prefix + "p95_ms", s.p95_ms, at);
  set(prefix + "p99_ms", s.p99_ms, at);
  set(prefix + "requests", static_cast<double>(s.requests), at);
  set(prefix + "failures", static_cast<double>(s.failures), at);
}

void signal_table::observe(const service_health& h, int64_t now_unix_ms) {
  if (h.service.empty())
    return;
  // The board speaks only on a change: these stay until the next one, and
  // their time is when the health changed.
  auto prefix = "service." + h.service + ".";
  auto at = h.since_unix_ms > 0 ? h.since_unix_ms : now_unix_ms;
  set(prefix + "health", h.health, at);
  set(prefix + "reason", h.reason, at);
  sticky_.insert(prefix + "health");
  sticky_.insert(prefix + "reason");
}

void signal_table::observe(const service_status& s, int64_t now_unix_ms) {
  if (s.name.empty())
    return;
  auto prefix = "service." + s.name + ".";
  set(prefix + "state", s.state, now_unix_ms);
  set(prefix + "oom_killed", s.oom_killed ? 1.0 : 0.0, now_unix_ms);
  set(prefix + "signal", static_cast<double>(s.signal), now_unix_ms);
  set(prefix + "exit_code", static_cast<double>(s.exit_code), now_unix_ms);
  set(prefix + "ready", s.ready ? 1.0 : 0.0, now_unix_ms);
  set(prefix + "process", std::string{to_string(s.activity)}, now_unix_ms);
  set(prefix + "detail", s.detail, now_unix_ms);
  set(prefix + "config_changed", s.config_changed ? 1.0 : 0.0, now_unix_ms);
  if (s.oom_killed)
    remember_memory(s.name, "oom_recent", 1, now_unix_ms, now_unix_ms);
}

void signal_table::remember_memory(const std::string& service, const char* key, double value,
                                   int64_t at_unix_ms, int64_t now_unix_ms) {
  // The highest value within the keep time: a higher one replaces it and
  // starts the keep time again.
  auto name = "service." + service + "." + key;
  auto old = signals_.find(name);
  if (old != signals_.end() && log_seen_.count(name) > 0 && old->second.number > value)
    return;
  set(name, value, at_unix_ms);
  log_seen_[name] = now_unix_ms;
}

void signal_table::observe(const std::string& service, const std::vector<metric_sample>& samples,
                           int64_t now_unix_ms) {
  if (service.empty())
    return;
  // Histogram buckets say nothing a runbook asks about, and there are many.
  for (auto& s : samples)
    if (!s.series.empty() && s.series.find(' ') == std::string::npos
        && s.series.find("_bucket{") == std::string::npos)
      set("metric." + service + "." + s.series, s.value,
          s.at_unix_ms > 0 ? s.at_unix_ms : now_unix_ms);
}

void signal_table::observe(const std::vector<node_info>& nodes, int64_t now_unix_ms) {
  std::string down;
  for (auto& n : nodes) {
    if (n.id.empty())
      continue;
    set("vigil.node." + n.id + ".status", n.status, now_unix_ms);
    set("vigil.node." + n.id + ".reason", n.status_reason, now_unix_ms);
    if (n.status != "up")
      down += (down.empty() ? "" : ",") + n.id;
  }
  set("vigil.node.status", down.empty() ? "up" : "down", now_unix_ms);
  set("vigil.node.down", down, now_unix_ms);
}

void signal_table::expire(int64_t now_unix_ms, int64_t max_age_ms) {
  for (auto it = log_seen_.begin(); it != log_seen_.end();) {
    if (now_unix_ms - it->second > log_keep_ms_) {
      signals_.erase(it->first);
      it = log_seen_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto g = groups_.begin(); g != groups_.end();) {
    auto& probes = g->second;
    bool changed = false;
    for (auto p = probes.begin(); p != probes.end();) {
      auto at = p->second.at_unix_ms;
      if (at > 0 && now_unix_ms - at > max_age_ms) {
        p = probes.erase(p);
        changed = true;
      } else {
        ++p;
      }
    }
    if (probes.empty()) {
      erase_prefix("probe." + g->first + ".");
      g = groups_.erase(g);
      continue;
    }
    if (changed)
      refresh_group(g->first, now_unix_ms);
    ++g;
  }
  for (auto it = signals_.begin(); it != signals_.end();) {
    if (log_seen_.count(it->first) == 0 && sticky_.count(it->first) == 0
        && now_unix_ms - it->second.at_unix_ms > max_age_ms)
      it = signals_.erase(it);
    else
      ++it;
  }
}

std::vector<signal_value> signal_table::snapshot(const std::string& prefix) const {
  std::vector<signal_value> result;
  for (auto it = signals_.lower_bound(prefix);
       it != signals_.end() && starts_with(it->first, prefix); ++it)
    result.push_back(it->second);
  return result;
}

const signal_value* signal_table::find(const std::string& name) const {
  auto it = signals_.find(name);
  return it == signals_.end() ? nullptr : &it->second;
}

signal_table make_signal_table(const std::vector<signal_value>& values) {
  signal_table result;
  for (auto& v : values)
    result.set(v);
  return result;
}

} // namespace vigil::agents
