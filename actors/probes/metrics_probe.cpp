// metrics: scrapes a /metrics page, keeps its series for `metrics SERVICE`,
// and is degraded for a window after a watched counter rose (a Vigil node's
// supervisor restarts, say).
#include <chrono>
#include <map>

#include "actors/probes/detail/http_get.hpp"
#include "actors/probes/kinds.hpp"
#include "actors/probes/prometheus_text.hpp"
#include "messages/unix_time.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;

class metrics_probe : public probe {
public:
  explicit metrics_probe(const probe_config& cfg) : probe(cfg), get_(cfg.url, false) {
    // nop
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    auto answer = get_.fetch(std::chrono::milliseconds{cfg.timeout_ms});
    if (!answer.ok) {
      r.values["up"] = 0;
      set_down(r, cfg.url + ": " + answer.error);
      return;
    }
    if (answer.status != 200) {
      r.values["up"] = 0;
      set_down(r, "HTTP " + std::to_string(answer.status) + " from " + cfg.url);
      return;
    }
    r.values["up"] = 1;
    size_t bad = 0;
    auto parsed = parse_prometheus_text(answer.body, bad);
    auto at = now_unix_ms();
    auto now = clock_type::now();
    samples_.clear();
    samples_.reserve(parsed.size());
    for (auto& s : parsed) {
      samples_.push_back(metric_sample{s.series, s.value, at});
      if (!watched(s.name))
        continue;
      auto prev = last_.find(s.series);
      if (prev != last_.end() && s.value > prev->second)
        rises_[s.series] = {now, prev->second, s.value};
      last_[s.series] = s.value;
    }
    r.values["series"] = static_cast<double>(parsed.size());
    r.values["bad_lines"] = static_cast<double>(bad);
    auto window = std::chrono::milliseconds{cfg.window_ms};
    for (auto it = rises_.begin(); it != rises_.end();) {
      if (now - it->second.when > window) {
        it = rises_.erase(it);
        continue;
      }
      set_degraded(r, it->first + " rose from " + ms_text(it->second.from) + " to "
                        + ms_text(it->second.to));
      ++it;
    }
    if (bad > 0)
      set_degraded(r, std::to_string(bad) + " lines of " + cfg.url + " do not parse");
    set_ok(r, std::to_string(parsed.size()) + " series from " + cfg.url);
  }

  std::vector<metric_sample> samples() const override { return samples_; }

private:
  struct rise {
    clock_type::time_point when;
    double from = 0;
    double to = 0;
  };

  bool watched(const std::string& name) const {
    for (auto& w : config().alert_on_increase)
      if (w == name)
        return true;
    return false;
  }

  detail::http_get get_;
  std::vector<metric_sample> samples_;
  std::map<std::string, double> last_;
  std::map<std::string, rise> rises_;
};

} // namespace

probe_ptr make_metrics_probe(const probe_config& cfg) {
  return std::make_unique<metrics_probe>(cfg);
}

} // namespace vigil::probes
