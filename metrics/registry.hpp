// Prometheus metrics of one process: actors set counters and gauges from any
// thread, and the node's /metrics endpoint renders them in the text format.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::metrics {

using labels = std::map<std::string, std::string>;

enum class kind { counter, gauge };

class registry {
public:
  /// The process's registry: every actor of a node writes here.
  static registry& global();

  /// Names a family once, with its type and help line. Setting a value of an
  /// undescribed family makes it an untyped gauge.
  void describe(const std::string& name, kind type, const std::string& help);

  /// Gauges: the value now.
  void set(const std::string& name, const labels& l, double value);

  /// Counters: adds `delta` (≥ 0) to the running total.
  void add(const std::string& name, const labels& l, double delta = 1);

  /// Drops every series of `name` whose labels include all of `match`
  /// (e.g. a probe that was removed).
  void drop(const std::string& name, const labels& match);

  /// Runs before each render(), e.g. to take a supervision tree's restarts.
  void on_collect(std::function<void(registry&)> collector);

  /// The text exposition format (version 0.0.4), families sorted by name.
  std::string render();

  /// The current value of one series, for tests; NaN when absent.
  double value(const std::string& name, const labels& l) const;

private:
  struct family {
    kind type = kind::gauge;
    std::string help;
    bool described = false;
    std::map<labels, double> series;
  };

  mutable std::mutex mtx_;
  std::map<std::string, family> families_;
  std::vector<std::function<void(registry&)>> collectors_;
};

/// A metric name or label name made valid: [a-zA-Z_:][a-zA-Z0-9_:]*.
std::string sanitize_name(const std::string& name);

} // namespace vigil::metrics
