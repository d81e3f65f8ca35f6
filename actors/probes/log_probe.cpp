// log: follows a file across rotation and truncation and counts each
// pattern's matching lines within a sliding window.
#include <chrono>
#include <deque>
#include <regex>

#include "actors/probes/detail/log_tail.hpp"
#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

using clock_type = std::chrono::steady_clock;

class log_probe : public probe {
public:
  explicit log_probe(const probe_config& cfg) : probe(cfg), tail_(cfg.path) {
    for (auto& p : cfg.patterns)
      counters_.push_back({p, std::regex{p.regex, std::regex::optimize}, {}, {}});
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    auto now = clock_type::now();
    auto lines = tail_.read_new();
    for (auto& line : lines)
      for (auto& c : counters_)
        if (std::regex_search(line, c.re)) {
          c.hits.push_back(now);
          c.last_line = line.substr(0, 300);
        }
    auto window = std::chrono::milliseconds{cfg.window_ms};
    r.values["lines"] = static_cast<double>(lines.size());
    r.values["reopened"] = static_cast<double>(tail_.reopened());
    for (auto& c : counters_) {
      while (!c.hits.empty() && now - c.hits.front() > window)
        c.hits.pop_front();
      r.values[c.pattern.name] = static_cast<double>(c.hits.size());
      if (c.hits.size() > c.pattern.max)
        // The last matching line goes along as the log excerpt the ops store keeps.
        set_degraded(r, std::to_string(c.hits.size()) + " lines match " + c.pattern.name
                          + " within " + std::to_string(cfg.window_ms / 1000) + " s; last: "
                          + c.last_line);
    }
    if (!tail_.problem().empty())
      set_degraded(r, tail_.problem());
    set_ok(r, "no pattern above its limit in " + cfg.path);
  }

private:
  struct counter {
    log_pattern pattern;
    std::regex re;
    std::string last_line;
    std::deque<clock_type::time_point> hits;
  };

  detail::log_tail tail_;
  std::vector<counter> counters_;
};

} // namespace

probe_ptr make_log_probe(const probe_config& cfg) {
  return std::make_unique<log_probe>(cfg);
}

} // namespace vigil::probes
