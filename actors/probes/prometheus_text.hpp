// Reading the Prometheus text exposition format (0.0.4): one sample per
// line, "name{labels} value [timestamp]"; comments and blank lines skipped.
#pragma once

#include <string>
#include <vector>

namespace vigil::probes {

struct parsed_sample {
  std::string series;  ///< Name with its labels as written: up{job="x"}.
  std::string name;    ///< The name alone.
  double value = 0;
};

/// The samples of a page; lines that do not parse are counted in `bad_lines`.
std::vector<parsed_sample> parse_prometheus_text(const std::string& text, size_t& bad_lines);

} // namespace vigil::probes
