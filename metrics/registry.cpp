#include "metrics/registry.hpp"

#include <charconv>
#include <iterator>
#include <cmath>
#include <limits>
#include <sstream>

namespace vigil::metrics {

namespace {

/// Length of the valid UTF-8 sequence at text[i], or 0 when it is not one.
size_t utf8_sequence(const std::string& text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  auto c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > text.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80)
      return 0;
  auto second = n > 1 ? byte(i + 1) : 0;
  bool overlong = (n == 2 && c < 0xc2) || (n == 3 && c == 0xe0 && second < 0xa0)
                  || (n == 4 && c == 0xf0 && second < 0x90);
  bool surrogate = n == 3 && c == 0xed && second >= 0xa0;
  bool too_large = n == 4 && (c > 0xf4 || (c == 0xf4 && second >= 0x90));
  if (overlong || surrogate || too_large)
    return 0;
  return n;
}

/// Prometheus rejects a whole scrape for one invalid UTF-8 byte, so bad
/// bytes (a probe name from a file, an error text) become U+FFFD.
/// `quote` also escapes '"' (label values, not help lines).
std::string escape(const std::string& text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto n = utf8_sequence(text, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    char c = text[i];
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out.append(text, i, n);
    i += n;
  }
  return out;
}

std::string format_value(double x) {
  if (std::isnan(x))
    return "NaN";
  if (std::isinf(x))
    return x > 0 ? "+Inf" : "-Inf";
  // Shortest text that reads back as the same double: "1", "0.25", "1e+21".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(x);
}

labels sanitize_labels(const labels& l) {
  labels result;
  for (auto& [key, value] : l)
    result[sanitize_label_name(key)] = value;
  return result;
}

bool includes(const labels& series, const labels& match) {
  for (auto& [key, value] : match) {
    auto found = series.find(key);
    if (found == series.end() || found->second != value)
      return false;
  }
  return true;
}

void drop_matching(std::map<labels, double>& series, const labels& match) {
  for (auto s = series.begin(); s != series.end();)
    s = includes(s->first, match) ? series.erase(s) : std::next(s);
}

} // namespace

registry& registry::global() {
  static registry instance;
  return instance;
}

registry::family& registry::family_of(const std::string& name) {
  return families_[sanitize_name(name)];
}

void registry::describe(const std::string& name, kind type, const std::string& help) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = family_of(name);
  f.type = type;
  f.help = help;
  f.described = true;
}

void registry::set(const std::string& name, const labels& l, double value) {
  std::lock_guard<std::mutex> guard{mtx_};
  family_of(name).series[sanitize_labels(l)] = value;
}

void registry::add(const std::string& name, const labels& l, double delta) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = family_of(name);
  if (f.described && f.type == kind::counter && !(delta >= 0))
    return;
  f.series[sanitize_labels(l)] += delta;
}

void registry::drop(const std::string& name, const labels& match) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(sanitize_name(name));
  if (i != families_.end())
    drop_matching(i->second.series, sanitize_labels(match));
}

void registry::replace(const std::string& name, const labels& match,
                       const std::map<labels, double>& series) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& f = family_of(name);
  drop_matching(f.series, sanitize_labels(match));
  for (auto& [l, value] : series)
    f.series[sanitize_labels(l)] = value;
}

collector_id registry::on_collect(std::function<void(registry&)> collector) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return id;
}

void registry::remove_collector(collector_id id) {
  std::lock_guard<std::mutex> guard{mtx_};
  collectors_.erase(id);
}

std::string registry::render() {
  std::vector<std::function<void(registry&)>> collectors;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& [id, collect] : collectors_)
      collectors.push_back(collect);
  }
  for (auto& collect : collectors)
    collect(*this);
  // Format a copy, so writers from actors wait for a copy, not for the text.
  std::map<std::string, family> snapshot;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    snapshot = families_;
  }
  std::ostringstream out;
  for (auto& [name, f] : snapshot) {
    if (f.series.empty())
      continue;
    if (f.described)
      out << "# HELP " << name << ' ' << escape(f.help, false) << '\n';
    out << "# TYPE " << name << ' '
        << (!f.described ? "untyped" : f.type == kind::counter ? "counter" : "gauge") << '\n';
    for (auto& [l, value] : f.series) {
      out << name;
      if (!l.empty()) {
        out << '{';
        bool first = true;
        for (auto& [key, text] : l) {
          out << (first ? "" : ",") << key << "=\"" << escape(text, true) << '"';
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
  auto s = i->second.series.find(sanitize_labels(l));
  return s == i->second.series.end() ? std::numeric_limits<double>::quiet_NaN() : s->second;
}

namespace {

// Locale-free: std::isalpha would accept bytes above 0x7f in some locales.
bool ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string sanitize(const std::string& name, bool colon_ok) {
  std::string out = name.empty() ? "_" : name;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = ascii_letter(c) || c == '_' || (colon_ok && c == ':') || (i > 0 && ascii_digit(c));
    if (!ok)
      out[i] = '_';
  }
  return out;
}

} // namespace

std::string sanitize_name(const std::string& name) {
  return sanitize(name, true);
}

std::string sanitize_label_name(const std::string& name) {
  return sanitize(name, false);
}

} // namespace vigil::metrics
