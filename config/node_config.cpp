#include "config/node_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"

namespace vigil {

namespace {

using json = nlohmann::json;

using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64
         && std::all_of(id.begin(), id.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
                     || c == '.';
            });
}

bool is_ip_address(const std::string& host) {
  in6_addr buf{};
  return ::inet_pton(AF_INET, host.c_str(), &buf) == 1
         || ::inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

/// A path from the config, relative to the config file so a config folder
/// can move as a whole.
std::string relative_to(const std::string& origin, const std::string& text,
                        const std::string& field) {
  auto file = std::filesystem::path{text};
  if (file.empty())
    fail(origin, field, "must not be empty (leave the field out instead)");
  if (file.is_relative())
    file = std::filesystem::path{origin}.parent_path() / file;
  return file.lexically_normal().string();
}

ops_store_config parse_ops_store(const json& value, const std::string& origin) {
  if (!value.is_object())
    fail(origin, "ops_store", "expected an object with socket_dir or host, port, dbname, "
                              "user, spool_dir, retention");
  static const std::set<std::string> fields{"socket_dir", "host", "port", "dbname",
                                            "user", "spool_dir", "retention"};
  ops_store_config result;
  std::string host = "127.0.0.1";
  uint64_t port = 5432;
  std::string dbname = "vigil";
  std::string user = "postgres";
  if (value.contains("socket_dir") && value.contains("host"))
    fail(origin, "ops_store", "give socket_dir (a local socket folder) or host, not both");
  // Errors about the host name the field it came from.
  std::string host_field = value.contains("socket_dir") ? "ops_store.socket_dir" : "ops_store.host";
  for (auto& [key, field] : value.items()) {
    auto name = "ops_store." + key;
    if (fields.count(key) == 0)
      fail(origin, name, "unknown field (known: socket_dir, host, port, dbname, user, "
                         "spool_dir, retention)");
    if (key == "socket_dir")
      // libpq reads only an absolute path as a socket folder (else a host name).
      host = std::filesystem::absolute(relative_to(origin, get_string(field, origin, name), name))
               .lexically_normal()
               .string();
    else if (key == "host")
      host = get_string(field, origin, name);
    else if (key == "port")
      port = get_uint(field, origin, name, 1, 65535);
    else if (key == "dbname")
      dbname = get_string(field, origin, name);
    else if (key == "user")
      user = get_string(field, origin, name);
    else if (key == "spool_dir")
      result.spool_dir = relative_to(origin, get_string(field, origin, name), name);
    else if (key == "retention") {
      if (!field.is_object())
        fail(origin, name, "expected {\"events_hours\": N, \"samples_hours\": N}");
      for (auto& [rkey, hours] : field.items()) {
        auto rname = name + "." + rkey;
        if (rkey == "events_hours")
          result.retain_events_hours = static_cast<uint32_t>(get_uint(hours, origin, rname, 1, 87600));
        else if (rkey == "samples_hours")
          result.retain_samples_hours = static_cast<uint32_t>(get_uint(hours, origin, rname, 1, 87600));
        else
          fail(origin, rname, "unknown field (known: events_hours, samples_hours)");
      }
    }
  }
  for (auto& [name, text] : {std::pair{"dbname", dbname}, std::pair{"user", user}})
    if (text.empty() || text.find_first_of(" '\\=") != std::string::npos)
      fail(origin, std::string{"ops_store."} + name, "must be a plain name, got '" + text + "'");
  if (host.empty() || host.find_first_of(" '\\") != std::string::npos)
    fail(origin, host_field, "must be a host name or socket folder without spaces, quotes "
                             "or backslashes, got '" + host + "'");
  result.dsn = "host=" + host + " port=" + std::to_string(port) + " dbname=" + dbname
               + " user=" + user + " connect_timeout=3";
  if (result.spool_dir.empty())
    result.spool_dir = (std::filesystem::temp_directory_path() / "vigil-spool").string();
  return result;
}

} // namespace

bool node_config::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> roles{"control", "action", "probe", "chaos"};
  return roles;
}

std::vector<std::string> parse_roles(const std::string& csv) {
  std::vector<std::string> result;
  std::stringstream in{csv};
  std::string role;
  while (std::getline(in, role, ',')) {
    if (role.empty())
      continue;
    auto& known = known_roles();
    if (std::find(known.begin(), known.end(), role) == known.end())
      throw config_error("unknown role '" + role + "' (known: control, action, probe, chaos)");
    if (std::find(result.begin(), result.end(), role) == result.end())
      result.push_back(role);
  }
  if (result.empty())
    throw config_error("no roles given (known: control, action, probe, chaos)");
  return result;
}

endpoint parse_endpoint(const std::string& text, const std::string& what) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw config_error(what + ": expected HOST:PORT, got '" + text + "'");
  endpoint result;
  result.host = text.substr(0, colon);
  // "[::1]:4200", as vigilctl --node takes it, means host ::1.
  if (result.host.size() > 2 && result.host.front() == '[' && result.host.back() == ']')
    result.host = result.host.substr(1, result.host.size() - 2);
  auto port_text = text.substr(colon + 1);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (port_text.empty() || port_text.size() > 5
      || !std::all_of(port_text.begin(), port_text.end(), digit))
    throw config_error(what + ": bad port in '" + text + "'");
  auto port = std::stoul(port_text);
  if (port == 0 || port > 65535)
    throw config_error(what + ": port out of range 1..65535 in '" + text + "'");
  result.port = static_cast<uint16_t>(port);
  return result;
}

void validate(const node_config& cfg, const std::string& origin) {
  if (!valid_id(cfg.id))
    fail(origin, "id", "expected 1-64 characters of letters, digits, '-', '_' or '.', got '"
                         + cfg.id + "'");
  if (cfg.roles.empty())
    fail(origin, "roles", "a node needs at least one role");
  if (!cfg.has_role("control") && cfg.join.empty())
    fail(origin, "join", "a node without the control role must join a control node");
  if (cfg.down_after_ms <= cfg.heartbeat_ms)
    fail(origin, "down_after_ms", "must be larger than heartbeat_ms");
}

node_config parse_node_config(const std::string& text, const std::string& origin) {
  auto doc = config_fields::parse_object(text, origin);
  static const std::set<std::string> fields{"id", "host", "port", "roles", "join",
                                            "heartbeat_ms", "down_after_ms", "log_level",
                                            "stack", "chaos", "metrics_listen", "probes",
                                            "ops_store", "knowledge", "agents", "actions"};
  node_config cfg;
  for (auto& [key, value] : doc.items()) {
    if (fields.count(key) == 0)
      fail(origin, key, "unknown field (known: id, host, port, roles, join, heartbeat_ms, "
                        "down_after_ms, log_level, stack, chaos, metrics_listen, probes, "
                        "ops_store, knowledge, agents, actions)");
    if (key == "id") {
      cfg.id = get_string(value, origin, key);
    } else if (key == "host") {
      cfg.host = get_string(value, origin, key);
      if (cfg.host.empty())
        fail(origin, key, "must not be empty");
    } else if (key == "port") {
      cfg.port = static_cast<uint16_t>(get_uint(value, origin, key, 1, 65535));
    } else if (key == "roles") {
      if (!value.is_array())
        fail(origin, key, "expected an array of roles, got " + value.dump());
      std::string csv;
      for (auto& role : value)
        csv += get_string(role, origin, key) + ",";
      try {
        cfg.roles = parse_roles(csv);
      } catch (const config_error& e) {
        fail(origin, key, e.what());
      }
    } else if (key == "join") {
      if (!value.is_array())
        fail(origin, key, "expected an array of \"HOST:PORT\" strings, got " + value.dump());
      for (auto& entry : value) {
        try {
          cfg.join.push_back(parse_endpoint(get_string(entry, origin, key), "join"));
        } catch (const config_error& e) {
          fail(origin, key, e.what());
        }
      }
    } else if (key == "heartbeat_ms") {
      cfg.heartbeat_ms = static_cast<uint32_t>(get_uint(value, origin, key, 10, 60000));
    } else if (key == "down_after_ms") {
      cfg.down_after_ms = static_cast<uint32_t>(get_uint(value, origin, key, 20, 600000));
    } else if (key == "log_level") {
      cfg.log_level = get_string(value, origin, key);
      static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
      if (levels.count(cfg.log_level) == 0)
        fail(origin, key, "expected one of trace, debug, info, warn, error, off");
    } else if (key == "stack" || key == "chaos" || key == "probes" || key == "agents"
               || key == "actions") {
      auto file = relative_to(origin, get_string(value, origin, key), key);
      (key == "stack"    ? cfg.stack
       : key == "chaos"  ? cfg.chaos
       : key == "probes" ? cfg.probes
       : key == "agents" ? cfg.agents
                         : cfg.actions) = file;
    } else if (key == "metrics_listen") {
      cfg.metrics_listen = get_string(value, origin, key);
      try {
        parse_endpoint(cfg.metrics_listen, "metrics_listen");
      } catch (const config_error& e) {
        fail(origin, key, e.what());
      }
      // The HTTP server binds an address, it does not resolve names.
      if (!is_ip_address(parse_endpoint(cfg.metrics_listen, key).host))
        fail(origin, key, "expected an IP address and port (127.0.0.1:9200, [::1]:9200), got '"
                            + cfg.metrics_listen + "'");
    } else if (key == "knowledge") {
      if (!value.is_array())
        fail(origin, key, "expected an array of folders, got " + value.dump());
      for (auto& entry : value)
        cfg.knowledge.push_back(relative_to(origin, get_string(entry, origin, key), key));
    } else if (key == "ops_store") {
      cfg.ops_store = parse_ops_store(value, origin);
    }
  }
  return cfg;
}

node_config load_node_config(const std::string& path) {
  auto text = config_fields::read_config_file(path);
  return parse_node_config(text, path);
}

} // namespace vigil
