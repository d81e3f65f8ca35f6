#include "config/node_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

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
  if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit))
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
  json doc;
  try {
    doc = json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw config_error(origin + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object())
    throw config_error(origin + ": expected a JSON object at the top");
  static const std::set<std::string> fields{"id", "host", "port", "roles", "join",
                                            "heartbeat_ms", "down_after_ms", "log_level",
                                            "stack", "chaos"};
  node_config cfg;
  for (auto& [key, value] : doc.items()) {
    if (fields.count(key) == 0)
      fail(origin, key, "unknown field (known: id, host, port, roles, join, heartbeat_ms, "
                        "down_after_ms, log_level, stack, chaos)");
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
    } else if (key == "stack" || key == "chaos") {
      auto file = std::filesystem::path{get_string(value, origin, key)};
      if (file.empty())
        fail(origin, key, "must not be empty (leave the field out instead)");
      // Relative to the config file, so a config folder can move as a whole.
      if (file.is_relative())
        file = std::filesystem::path{origin}.parent_path() / file;
      (key == "stack" ? cfg.stack : cfg.chaos) = file.lexically_normal().string();
    }
  }
  return cfg;
}

node_config load_node_config(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw config_error(path + ": cannot read the file");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_node_config(buf.str(), path);
}

} // namespace vigil
