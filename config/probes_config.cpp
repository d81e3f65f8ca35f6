// Probes file loading: each probe's fields are checked against its kind, so a
// field of another kind (a typo, or "url" on a tcp probe) is an error naming
// the file and the field.
#include "config/probes_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/model_probes.hpp"

namespace vigil {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

using config_fields::fail;
using config_fields::get_path;
using config_fields::get_string;
using config_fields::get_uint;

const std::set<std::string> common_fields{"name",       "kind",    "target",
                                          "interval_ms", "timeout_ms", "slow_ms"};

/// The fields each kind takes besides the common ones.
const std::map<std::string, std::set<std::string>>& kind_fields() {
  static const std::map<std::string, std::set<std::string>> fields{
    {"http", {"url", "expect_status", "body_contains", "json_pointer", "json_equals",
              "keep_alive"}},
    {"tcp", {"address"}},
    {"postgres", {"host", "port", "dbname", "user", "password_file", "server_log", "window_ms",
                  "max_connections_ratio", "max_waiting_locks", "lock_timeout_ms", "checks"}},
    {"process", {"service", "state_file", "max_rss_mb", "max_rss_growth_mb_per_s"}},
    {"disk", {"path", "min_free_mb", "min_free_percent", "min_free_inodes",
              "max_growth_mb_per_s"}},
    {"log", {"path", "window_ms", "patterns"}},
    {"metrics", {"url", "service", "alert_on_increase", "window_ms"}},
    {"data", {"url", "host", "port", "dbname", "user", "password_file", "price_sql", "sample"}},
    {"host", {"max_cpu_busy", "max_cpu_pressure", "state_file"}},
  };
  return fields;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

double get_number(const json& j, const std::string& origin, const std::string& field,
                  double min, double max) {
  if (!j.is_number() || j.get<double>() < min || j.get<double>() > max)
    fail(origin, field, "expected a number in " + std::to_string(min) + ".."
                          + std::to_string(max) + ", got " + j.dump());
  return j.get<double>();
}

bool get_bool(const json& j, const std::string& origin, const std::string& field) {
  if (!j.is_boolean())
    fail(origin, field, "expected true or false, got " + j.dump());
  return j.get<bool>();
}

std::string get_url(const json& j, const std::string& origin, const std::string& field) {
  auto url = get_string(j, origin, field);
  if (url.rfind("http://", 0) != 0 || url.size() <= 7)
    fail(origin, field, "expected an http:// URL, got '" + url + "'");
  return url;
}

void check_regex(const std::string& text, const std::string& origin, const std::string& field) {
  try {
    std::regex re{text};
  } catch (const std::regex_error& e) {
    fail(origin, field, "not a valid regular expression: " + std::string{e.what()});
  }
}

std::vector<sql_check> parse_checks(const json& j, const std::string& origin,
                                    const std::string& at, const std::string& base_dir) {
  static const std::string known =
    "name, sql, expect, max_drop_percent, acked_file, acked_recent";
  if (!j.is_array())
    fail(origin, at, "expected an array of {" + known + "}");
  std::vector<sql_check> out;
  for (size_t i = 0; i < j.size(); ++i) {
    auto here = at + "[" + std::to_string(i) + "]";
    if (!j[i].is_object())
      fail(origin, here, "expected an object, got " + j[i].dump());
    sql_check c;
    for (auto& [key, value] : j[i].items()) {
      auto field = here + "." + key;
      if (key == "name")
        c.name = get_string(value, origin, field);
      else if (key == "sql")
        c.sql = get_string(value, origin, field);
      else if (key == "expect")
        c.expect = get_string(value, origin, field);
      else if (key == "max_drop_percent")
        c.max_drop_percent = get_number(value, origin, field, 0, 100);
      else if (key == "acked_file")
        c.acked_file = get_path(value, origin, field, base_dir);
      else if (key == "acked_recent")
        c.acked_recent = static_cast<uint32_t>(get_uint(value, origin, field, 1, 100000));
      else
        fail(origin, field, "unknown field (known: " + known + ")");
    }
    if (!c.acked_file.empty() && c.sql.find("$acked") == std::string::npos)
      fail(origin, here + ".sql", "must use $acked (the acknowledged ids) when acked_file is set");
    if (!config_fields::is_name(c.name))
      fail(origin, here + ".name", "missing or not 1-64 letters, digits, '-', '_' or '.'");
    if (c.sql.empty())
      fail(origin, here + ".sql", "missing");
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<log_pattern> parse_patterns(const json& j, const std::string& origin,
                                        const std::string& at) {
  if (!j.is_array() || j.empty())
    fail(origin, at, "expected a non-empty array of {name, regex, max?}");
  std::vector<log_pattern> out;
  for (size_t i = 0; i < j.size(); ++i) {
    auto here = at + "[" + std::to_string(i) + "]";
    if (!j[i].is_object())
      fail(origin, here, "expected an object, got " + j[i].dump());
    log_pattern p;
    for (auto& [key, value] : j[i].items()) {
      auto field = here + "." + key;
      if (key == "name")
        p.name = get_string(value, origin, field);
      else if (key == "regex")
        p.regex = get_string(value, origin, field);
      else if (key == "max")
        p.max = static_cast<uint32_t>(get_uint(value, origin, field, 0, 1000000));
      else
        fail(origin, field, "unknown field (known: name, regex, max)");
    }
    if (!config_fields::is_name(p.name))
      fail(origin, here + ".name", "missing or not 1-64 letters, digits, '-', '_' or '.'");
    if (p.regex.empty())
      fail(origin, here + ".regex", "missing");
    check_regex(p.regex, origin, here + ".regex");
    out.push_back(std::move(p));
  }
  return out;
}

probe_config parse_probe(const json& j, const std::string& origin, const std::string& at,
                         const std::string& base_dir, const probe_config& defaults) {
  if (!j.is_object())
    fail(origin, at, "expected an object, got " + j.dump());
  auto kind_it = j.find("kind");
  if (kind_it == j.end())
    fail(origin, at + ".kind", "missing (one of " + joined([] {
                                 std::set<std::string> s;
                                 for (auto& [k, _] : kind_fields())
                                   s.insert(k);
                                 return s;
                               }()) + ")");
  probe_config p = defaults;
  p.kind = get_string(*kind_it, origin, at + ".kind");
  auto fields = kind_fields().find(p.kind);
  if (fields == kind_fields().end())
    fail(origin, at + ".kind", "unknown kind '" + p.kind
                                 + "' (known: http, tcp, postgres, process, disk, log, "
                                   "metrics, data, host)");
  for (auto& [key, value] : j.items()) {
    auto field = at + "." + key;
    if (common_fields.count(key) == 0 && fields->second.count(key) == 0)
      fail(origin, field, "unknown field for a " + p.kind + " probe (known: "
                            + joined(common_fields) + ", " + joined(fields->second) + ")");
    if (key == "kind") {
      // read above
    } else if (key == "name") {
      p.name = get_string(value, origin, field);
      if (!config_fields::is_name(p.name))
        fail(origin, field, "expected 1-64 letters, digits, '-', '_' or '.', got '" + p.name
                              + "'");
    } else if (key == "target") {
      p.target = get_string(value, origin, field);
    } else if (key == "interval_ms") {
      p.interval_ms = static_cast<uint32_t>(get_uint(value, origin, field, 10, 3600000));
    } else if (key == "timeout_ms") {
      p.timeout_ms = static_cast<uint32_t>(get_uint(value, origin, field, 1, 600000));
    } else if (key == "slow_ms") {
      p.slow_ms = static_cast<uint32_t>(get_uint(value, origin, field, 0, 600000));
    } else if (key == "url") {
      p.url = get_url(value, origin, field);
    } else if (key == "expect_status") {
      if (!value.is_array() || value.empty())
        fail(origin, field, "expected a non-empty array of HTTP status codes");
      p.expect_status.clear();
      for (auto& s : value)
        p.expect_status.push_back(static_cast<int>(get_uint(s, origin, field, 100, 599)));
    } else if (key == "body_contains") {
      p.body_contains = get_string(value, origin, field);
    } else if (key == "json_pointer") {
      p.json_pointer = get_string(value, origin, field);
      try {
        json::json_pointer ptr{p.json_pointer};
      } catch (const json::exception& e) {
        fail(origin, field, std::string{"not a JSON pointer: "} + e.what());
      }
    } else if (key == "json_equals") {
      p.json_equals = value.is_string() ? value.get<std::string>() : value.dump();
    } else if (key == "keep_alive") {
      p.keep_alive = get_bool(value, origin, field);
    } else if (key == "address") {
      p.address = get_string(value, origin, field);
      try {
        parse_endpoint(p.address, field);
      } catch (const config_error& e) {
        fail(origin, field, e.what());
      }
    } else if (key == "host") {
      p.db_host = get_string(value, origin, field);
      if (p.db_host.empty())
        fail(origin, field, "must not be empty");
      // A socket folder given relative to the file, like every other path.
      if (p.db_host.find('/') != std::string::npos)
        p.db_host = get_path(value, origin, field, base_dir);
    } else if (key == "port") {
      p.db_port = static_cast<uint16_t>(get_uint(value, origin, field, 1, 65535));
    } else if (key == "dbname") {
      p.dbname = get_string(value, origin, field);
    } else if (key == "user") {
      p.user = get_string(value, origin, field);
    } else if (key == "password_file") {
      p.password_file = get_path(value, origin, field, base_dir);
    } else if (key == "server_log") {
      p.server_log = get_path(value, origin, field, base_dir);
    } else if (key == "max_connections_ratio") {
      p.max_connections_ratio = get_number(value, origin, field, 0, 1);
    } else if (key == "max_waiting_locks") {
      p.max_waiting_locks = static_cast<uint32_t>(get_uint(value, origin, field, 0, 1000000));
    } else if (key == "lock_timeout_ms") {
      p.lock_timeout_ms = static_cast<uint32_t>(get_uint(value, origin, field, 1, 600000));
    } else if (key == "checks") {
      p.checks = parse_checks(value, origin, field, base_dir);
    } else if (key == "service") {
      p.service = get_string(value, origin, field);
      if (!config_fields::is_name(p.service))
        fail(origin, field, "expected 1-64 letters, digits, '-', '_' or '.'");
    } else if (key == "state_file") {
      p.state_file = get_path(value, origin, field, base_dir);
    } else if (key == "max_rss_mb") {
      p.max_rss_mb = get_uint(value, origin, field, 1, 1u << 24);
    } else if (key == "max_rss_growth_mb_per_s") {
      p.max_rss_growth_mb_per_s = get_number(value, origin, field, 0, 1e6);
    } else if (key == "path") {
      p.path = get_path(value, origin, field, base_dir);
    } else if (key == "min_free_mb") {
      p.min_free_mb = get_uint(value, origin, field, 0, 1ull << 40);
    } else if (key == "min_free_percent") {
      p.min_free_percent = get_number(value, origin, field, 0, 100);
    } else if (key == "min_free_inodes") {
      p.min_free_inodes = get_uint(value, origin, field, 0, 1ull << 40);
    } else if (key == "max_growth_mb_per_s") {
      p.max_growth_mb_per_s = get_number(value, origin, field, 0, 1e6);
    } else if (key == "window_ms") {
      p.window_ms = static_cast<uint32_t>(get_uint(value, origin, field, 100, 86400000));
    } else if (key == "patterns") {
      p.patterns = parse_patterns(value, origin, field);
    } else if (key == "alert_on_increase") {
      if (!value.is_array())
        fail(origin, field, "expected an array of series names");
      for (auto& s : value)
        p.alert_on_increase.push_back(get_string(s, origin, field));
    } else if (key == "price_sql") {
      p.price_sql = get_string(value, origin, field);
    } else if (key == "sample") {
      p.sample = static_cast<uint32_t>(get_uint(value, origin, field, 0, 100000));
    } else if (key == "max_cpu_busy") {
      p.max_cpu_busy = get_number(value, origin, field, 0, 1);
    } else if (key == "max_cpu_pressure") {
      p.max_cpu_pressure = get_number(value, origin, field, 0, 1);
    }
  }
  if (p.name.empty())
    fail(origin, at + ".name", "missing (every probe needs a name)");
  if (p.target.empty())
    p.target = p.name;
  auto require = [&](bool present, const std::string& field) {
    if (!present)
      fail(origin, at + "." + field, "missing (a " + p.kind + " probe needs it)");
  };
  if (p.kind == "http" || p.kind == "metrics" || p.kind == "data")
    require(!p.url.empty(), "url");
  if (p.kind == "tcp")
    require(!p.address.empty(), "address");
  if (p.kind == "postgres" || p.kind == "data") {
    require(!p.db_host.empty(), "host");
    require(!p.dbname.empty(), "dbname");
    require(!p.user.empty(), "user");
  }
  if (p.kind == "process") {
    require(!p.service.empty(), "service");
    require(!p.state_file.empty(), "state_file");
  }
  if (p.kind == "disk" || p.kind == "log")
    require(!p.path.empty(), "path");
  if (p.kind == "log")
    require(!p.patterns.empty(), "patterns");
  if (p.kind == "metrics" && p.service.empty())
    p.service = p.target;
  if (p.timeout_ms > p.interval_ms * 10)
    fail(origin, at + ".timeout_ms", "at most ten intervals (" + std::to_string(p.interval_ms * 10)
                                       + " ms)");
  return p;
}

} // namespace

const std::vector<std::string>& known_probe_kinds() {
  static const std::vector<std::string> kinds{"http", "tcp",     "postgres", "process", "disk",
                                              "log",  "metrics", "data",     "host"};
  return kinds;
}

probes_config parse_probes_config(const std::string& text, const std::string& origin,
                                  const std::string& base_dir) {
  auto doc = config_fields::parse_object(text, origin);
  probes_config cfg;
  probe_config defaults;
  // Defaults first, whatever their place in the file.
  if (auto d = doc.find("defaults"); d != doc.end()) {
    if (!d->is_object())
      fail(origin, "defaults", "expected an object with interval_ms and timeout_ms");
    for (auto& [key, value] : d->items()) {
      if (key == "interval_ms")
        defaults.interval_ms = static_cast<uint32_t>(get_uint(value, origin, "defaults." + key,
                                                              10, 3600000));
      else if (key == "timeout_ms")
        defaults.timeout_ms = static_cast<uint32_t>(get_uint(value, origin, "defaults." + key,
                                                             1, 600000));
      else
        fail(origin, "defaults." + key, "unknown field (known: interval_ms, timeout_ms)");
    }
  }
  bool has_probes = false;
  std::set<std::string> names;
  // The service model's probes first, then the file's own (Vigil's nodes...).
  if (auto m = doc.find("model"); m != doc.end()) {
    fs::path path{get_string(*m, origin, "model")};
    if (path.is_relative())
      path = fs::path{base_dir} / path;
    auto model = load_service_model(path.lexically_normal().string());
    for (auto& d : derive_probes(model)) {
      auto p = parse_probe(d.spec, model.origin, d.at + " (probe " + d.spec["name"].get<std::string>() + ")",
                           model.folder, defaults);
      names.insert(p.name);
      cfg.probes.push_back(std::move(p));
    }
  }
  for (auto& [key, value] : doc.items()) {
    if (key == "defaults" || key == "traffic" || key == "model") {
      // defaults, model: read above; traffic: the synthetic traffic's own section.
    } else if (key == "publish_every_ms") {
      cfg.publish_every_ms = static_cast<uint32_t>(get_uint(value, origin, key, 100, 3600000));
    } else if (key == "probes") {
      has_probes = true;
      if (!value.is_array())
        fail(origin, key, "expected an array of probes, got " + value.dump());
      for (size_t i = 0; i < value.size(); ++i) {
        auto at = "probes[" + std::to_string(i) + "]";
        auto p = parse_probe(value[i], origin, at, base_dir, defaults);
        if (!names.insert(p.name).second)
          fail(origin, at + ".name", "duplicate probe name '" + p.name
                                       + "' (the model's probes are named SERVICE-health, -ready, "
                                         "-process, -disk, -log, -data, -metrics, -db, -tcp)");
        cfg.probes.push_back(std::move(p));
      }
    } else {
      fail(origin, key, "unknown field (known: defaults, model, publish_every_ms, probes, traffic)");
    }
  }
  if (!has_probes)
    fail(origin, "probes", "missing (an array of probes, may be empty)");
  return cfg;
}

probes_config load_probes_config(const std::string& path) {
  return parse_probes_config(config_fields::read_config_file(path), path, config_fields::folder_of(path));
}

} // namespace vigil
