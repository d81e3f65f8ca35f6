#include "metrics/registry.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

namespace vigil::metrics {

namespace {

std::string escape_label_value(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double x) {
  if (std::isnan(x))
    return "NaN";
  if (std::isinf(x))
    return x > 0 ? "+Inf" : "-Inf";
  std::ostringstream out;
  out.precision(17);
  out << x;
  return out.str();
}

} // namespace

registry& registry::global() {
  static registry instance;
  return instance;
}

void registry::describe(const std::string& name, kind type, const std::string& help) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = families_[sanitize_name(name)];
  f.type = type;
  f.help = help;
  f.described = true;
}

void registry::set(const std::string& name, const labels& l, double value) {
  std::lock_guard<std::mutex> guard{mtx_};
  families_[sanitize_name(name)].series[l] = value;
}

void registry::add(const std::string& name, const labels& l, double delta) {
  std::lock_guard<std::mutex> guard{mtx_};
  families_[sanitize_name(name)].series[l] += delta;
}

void registry::drop(const std::string& name, const labels& match) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(sanitize_name(name));
  if (i == families_.end())
    return;
  auto& series = i->second.series;
  for (auto s = series.begin(); s != series.end();) {
    bool all = true;
    for (auto& [key, value] : match) {
      auto found = s->first.find(key);
      all = all && found != s->first.end() && found->second == value;
    }
    s = all ? series.erase(s) : std::next(s);
  }
}

void registry::on_collect(std::function<void(registry&)> collector) {
  std::lock_guard<std::mutex> guard{mtx_};
  collectors_.push_back(std::move(collector));
}

std::string registry::render() {
  std::vector<std::function<void(registry&)>> collectors;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    collectors = collectors_;
  }
  for (auto& collect : collectors)
    collect(*this);
  std::lock_guard<std::mutex> guard{mtx_};
  std::ostringstream out;
  for (auto& [name, f] : families_) {
    if (f.series.empty())
      continue;
    if (f.described)
      out << "# HELP " << name << ' ' << f.help << '\n';
    out << "# TYPE " << name << ' '
        << (!f.described ? "untyped" : f.type == kind::counter ? "counter" : "gauge") << '\n';
    for (auto& [l, value] : f.series) {
      out << name;
      if (!l.empty()) {
        out << '{';
        bool first = true;
        for (auto& [key, text] : l) {
          out << (first ? "" : ",") << sanitize_name(key) << "=\"" << escape_label_value(text)
              << '"';
          first = false;
        }
        out << '}';
      }
      out << ' ' << format_value(value) << '\n';
    }
  }
  return out.str();
}

double registry::value(const std::string& name, const labels& l) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(sanitize_name(name));
  if (i == families_.end())
    return std::numeric_limits<double>::quiet_NaN();
  auto s = i->second.series.find(l);
  return s == i->second.series.end() ? std::numeric_limits<double>::quiet_NaN() : s->second;
}

std::string sanitize_name(const std::string& name) {
  std::string out = name.empty() ? "_" : name;
  for (size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    bool ok = std::isalpha(c) || c == '_' || c == ':' || (i > 0 && std::isdigit(c));
    if (!ok)
      out[i] = '_';
  }
  return out;
}

} // namespace vigil::metrics
