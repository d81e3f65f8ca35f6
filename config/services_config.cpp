// Services file loading: every bad field is named with its file and position,
// and relative paths are made absolute against the file's folder.
#include "config/services_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"

namespace vigil {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

using config_fields::fail;
using config_fields::get_path;
using config_fields::get_string;
using config_fields::get_uint;

bool valid_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && name[0] != '.'
         && std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
                     || c == '.';
            });
}

service_config parse_service(const json& j, const std::string& origin, const std::string& at,
                             const std::string& base_dir) {
  if (!j.is_object())
    fail(origin, at, "expected an object, got " + j.dump());
  static const std::set<std::string> fields{
    "name",      "command",         "args",             "env",
    "cwd",       "data_dir",        "memory_limit_mb",  "ready_url",
    "ready_timeout_ms", "stop_timeout_ms", "autostart", "config_files", "healthy_url"};
  service_config svc;
  svc.cwd = base_dir;
  for (auto& [key, value] : j.items()) {
    auto field = at + "." + key;
    if (fields.count(key) == 0)
      fail(origin, field, "unknown field (known: name, command, args, env, cwd, data_dir, "
                          "memory_limit_mb, ready_url, ready_timeout_ms, stop_timeout_ms, "
                          "autostart, config_files, healthy_url)");
    if (key == "name") {
      svc.name = get_string(value, origin, field);
      if (!valid_name(svc.name))
        fail(origin, field, "expected 1-64 characters of letters, digits, '-', '_' or '.' "
                            "(not starting with '.'), got '" + svc.name + "'");
    } else if (key == "command") {
      svc.command = get_path(value, origin, field, base_dir);
      // Checked here, so a typo fails at load time rather than at 3 a.m.
      if (!fs::is_regular_file(svc.command) || ::access(svc.command.c_str(), X_OK) != 0)
        fail(origin, field, "'" + svc.command + "' is not an executable file");
    } else if (key == "args") {
      if (!value.is_array())
        fail(origin, field, "expected an array of strings, got " + value.dump());
      for (auto& arg : value)
        svc.args.push_back(get_string(arg, origin, field));
    } else if (key == "env") {
      if (!value.is_object())
        fail(origin, field, "expected an object of strings, got " + value.dump());
      for (auto& [name, text] : value.items()) {
        if (name.empty() || name.find('=') != std::string::npos)
          fail(origin, field, "bad variable name '" + name + "'");
        svc.env[name] = get_string(text, origin, field + "." + name);
      }
    } else if (key == "cwd") {
      svc.cwd = get_path(value, origin, field, base_dir);
    } else if (key == "data_dir") {
      svc.data_dir = get_path(value, origin, field, base_dir);
    } else if (key == "memory_limit_mb") {
      svc.memory_limit_mb = get_uint(value, origin, field, 1, 1u << 20);
    } else if (key == "ready_url") {
      svc.ready_url = get_string(value, origin, field);
      if (svc.ready_url.rfind("http://", 0) != 0 || svc.ready_url.size() <= 7)
        fail(origin, field, "expected an http:// URL, got '" + svc.ready_url + "'");
    } else if (key == "ready_timeout_ms") {
      svc.ready_timeout_ms = static_cast<uint32_t>(get_uint(value, origin, field, 1, 3600000));
    } else if (key == "stop_timeout_ms") {
      svc.stop_timeout_ms = static_cast<uint32_t>(get_uint(value, origin, field, 1, 3600000));
    } else if (key == "config_files") {
      if (!value.is_array())
        fail(origin, field, "expected an array of paths, got " + value.dump());
      for (auto& path : value)
        svc.config_files.push_back(get_path(path, origin, field, base_dir));
    } else if (key == "healthy_url") {
      svc.healthy_url = get_string(value, origin, field);
      if (svc.healthy_url.rfind("http://", 0) != 0 || svc.healthy_url.size() <= 7)
        fail(origin, field, "expected an http:// URL, got '" + svc.healthy_url + "'");
    } else if (key == "autostart") {
      if (!value.is_boolean())
        fail(origin, field, "expected true or false, got " + value.dump());
      svc.autostart = value.get<bool>();
    }
  }
  if (svc.name.empty())
    fail(origin, at + ".name", "missing (every service needs a name)");
  if (svc.command.empty())
    fail(origin, at + ".command", "missing (every service needs a command)");
  if (svc.healthy_url.empty())
    svc.healthy_url = svc.ready_url;
  return svc;
}

} // namespace

const service_config* services_config::find(const std::string& name) const {
  for (auto& svc : services)
    if (svc.name == name)
      return &svc;
  return nullptr;
}

const std::vector<std::string>& known_service_backends() {
  static const std::vector<std::string> backends{"exec"};
  return backends;
}

services_config parse_services_config(const std::string& text, const std::string& origin,
                                      const std::string& base_dir) {
  auto doc = config_fields::parse_object(text, origin);
  services_config cfg;
  cfg.log_dir = (fs::path{base_dir} / "logs").lexically_normal().string();
  bool has_services = false;
  for (auto& [key, value] : doc.items()) {
    if (key == "backend") {
      cfg.backend = get_string(value, origin, key);
      auto& known = known_service_backends();
      if (std::find(known.begin(), known.end(), cfg.backend) == known.end())
        fail(origin, key, "unknown backend '" + cfg.backend + "' (known: exec)");
    } else if (key == "log_dir") {
      cfg.log_dir = get_path(value, origin, key, base_dir);
    } else if (key == "cgroup_parent") {
      cfg.cgroup_parent = get_string(value, origin, key);
      if (!valid_name(cfg.cgroup_parent))
        fail(origin, key, "expected one folder name of letters, digits, '-', '_' or '.', got '"
                            + cfg.cgroup_parent + "'");
    } else if (key == "config_good_after_ms") {
      cfg.config_good_after_ms = static_cast<uint32_t>(get_uint(value, origin, key, 0, 86400000));
    } else if (key == "services") {
      has_services = true;
      if (!value.is_array())
        fail(origin, key, "expected an array of services, got " + value.dump());
      std::set<std::string> names;
      for (size_t i = 0; i < value.size(); ++i) {
        auto at = "services[" + std::to_string(i) + "]";
        auto svc = parse_service(value[i], origin, at, base_dir);
        if (!names.insert(svc.name).second)
          fail(origin, at + ".name", "duplicate service name '" + svc.name + "'");
        cfg.services.push_back(std::move(svc));
      }
    } else {
      fail(origin, key, "unknown field (known: backend, log_dir, cgroup_parent, "
                        "config_good_after_ms, services)");
    }
  }
  if (!has_services)
    fail(origin, "services", "missing (an array of services, may be empty)");
  return cfg;
}

services_config load_services_config(const std::string& path) {
  return parse_services_config(config_fields::read_config_file(path), path,
                               config_fields::folder_of(path));
}

} // namespace vigil
