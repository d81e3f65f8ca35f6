#include "actors/probes/prometheus_text.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace vigil::probes {

namespace {

double parse_value(const std::string& text, bool& ok) {
  ok = true;
  if (text == "+Inf" || text == "Inf")
    return INFINITY;
  if (text == "-Inf")
    return -INFINITY;
  if (text == "NaN")
    return NAN;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  ok = !text.empty() && end != nullptr && *end == '\0';
  return v;
}

} // namespace

std::vector<parsed_sample> parse_prometheus_text(const std::string& text, size_t& bad_lines) {
  std::vector<parsed_sample> out;
  bad_lines = 0;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#')
      continue;
    // The series ends after the closing brace (label values may hold spaces).
    size_t end_of_series;
    auto brace = line.find('{', first);
    auto space = line.find_first_of(" \t", first);
    if (brace != std::string::npos && (space == std::string::npos || brace < space)) {
      bool quoted = false;
      size_t i = brace + 1;
      for (; i < line.size(); ++i) {
        if (line[i] == '\\' && quoted)
          ++i;
        else if (line[i] == '"')
          quoted = !quoted;
        else if (line[i] == '}' && !quoted)
          break;
      }
      if (i >= line.size()) {
        ++bad_lines;
        continue;
      }
      end_of_series = i + 1;
    } else {
      end_of_series = space;
    }
    if (end_of_series == std::string::npos || end_of_series >= line.size()) {
      ++bad_lines;
      continue;
    }
    parsed_sample s;
    s.series = line.substr(first, end_of_series - first);
    s.name = s.series.substr(0, s.series.find('{'));
    std::istringstream rest{line.substr(end_of_series)};
    std::string value;
    rest >> value;
    bool ok = false;
    s.value = parse_value(value, ok);
    if (!ok || s.name.empty()) {
      ++bad_lines;
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace vigil::probes
