// Prometheus metrics of one process: actors set counters and gauges from any
// thread, and the node's /metrics endpoint renders them in the text format.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::metrics {

/// Label name ⇒ value. Names are made valid (sanitize_label_name) when a
/// series is written, so two spellings that sanitize alike are one series.
using labels = std::map<std::string, std::string>;

enum class kind { counter, gauge };

/// Identifies a collector so its owner can remove it again.
using collector_id = uint64_t;

class registry {
public:
  /// The process's registry: every actor of a node writes here.
  static registry& global();

  /// Names a family once, with its type and help line. Setting a value of an
  /// undescribed family makes it an untyped gauge.
  void describe(const std::string& name, kind type, const std::string& help);

  /// Gauges: the value now.
  void set(const std::string& name, const labels& l, double value);

  /// Counters: adds `delta` (≥ 0) to the running total. A negative or NaN
  /// delta on a described counter is ignored: counters never go down.
  void add(const std::string& name, const labels& l, double delta = 1);

  /// Drops every series of `name` whose labels include all of `match`
  /// (e.g. a probe that was removed).
  void drop(const std::string& name, const labels& match);

  /// drop(name, match), then sets every series of `series`, in one step: a
  /// concurrent render() sees either the old set or the new one. For values
  /// recomputed as a whole at scrape time (a supervision tree's children).
  void replace(const std::string& name, const labels& match,
               const std::map<labels, double>& series);

  /// Runs before each render(), e.g. to read /proc/self. Collectors run
  /// outside the registry's lock (they may set values) and must not block.
  collector_id on_collect(std::function<void(registry&)> collector);

  /// Removes a collector (its owner is gone); unknown ids are ignored.
  void remove_collector(collector_id id);

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

  family& family_of(const std::string& name); // mtx_ held

  mutable std::mutex mtx_;
  std::map<std::string, family> families_;
  std::map<collector_id, std::function<void(registry&)>> collectors_;
  collector_id next_collector_ = 1;
};

/// A metric name made valid: [a-zA-Z_:][a-zA-Z0-9_:]*.
std::string sanitize_name(const std::string& name);

/// A label name made valid: [a-zA-Z_][a-zA-Z0-9_]* (no ':').
std::string sanitize_label_name(const std::string& name);

} // namespace vigil::metrics
