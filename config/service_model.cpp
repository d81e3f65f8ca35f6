// Service model loading: every field checked where it is read, references
// between services checked once all are read (unknown service, a service
// depending on itself, a cycle), so a model that loads is a graph.
#include "config/service_model.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>

#include "config/json_fields.hpp"
#include "config/node_config.hpp"

namespace vigil {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

using config_fields::fail;
using config_fields::get_path;
using config_fields::get_string;

const std::vector<std::pair<component_kind, const char*>> kind_names{
  {component_kind::http_service, "http_service"}, {component_kind::http_upstream, "http_upstream"},
  {component_kind::http_proxy, "http_proxy"},     {component_kind::tcp_proxy, "tcp_proxy"},
  {component_kind::postgres, "postgres"},         {component_kind::cache, "cache"},
};

std::string known_kinds() {
  std::string out;
  for (auto& [_, name] : kind_names)
    out += (out.empty() ? "" : ", ") + std::string{name};
  return out;
}

std::string get_name(const json& j, const std::string& origin, const std::string& field) {
  auto name = get_string(j, origin, field);
  if (!config_fields::is_name(name))
    fail(origin, field, "expected 1-64 letters, digits, '-', '_' or '.', got '" + name + "'");
  return name;
}

const json& get_object(const json& j, const std::string& origin, const std::string& field) {
  if (!j.is_object())
    fail(origin, field, "expected an object, got " + j.dump());
  return j;
}

const json& get_array(const json& j, const std::string& origin, const std::string& field) {
  if (!j.is_array())
    fail(origin, field, "expected an array, got " + j.dump());
  return j;
}

/// Probe fields given in the model; checked against the probe's kind when
/// the probes are derived.
probe_spec get_spec(const json& j, const std::string& origin, const std::string& at) {
  return probe_spec{get_object(j, origin, at), at};
}

/// Rejects any member not in `known`: a typo must not be silently ignored.
void only_fields(const json& j, const std::string& origin, const std::string& at,
                 const std::set<std::string>& known) {
  for (auto& [key, _] : j.items())
    if (known.count(key) == 0) {
      std::string list;
      for (auto& k : known)
        list += (list.empty() ? "" : ", ") + k;
      fail(origin, at.empty() ? key : at + "." + key, "unknown field (known: " + list + ")");
    }
}

dependency parse_dependency(const json& j, const std::string& origin, const std::string& at) {
  get_object(j, origin, at);
  only_fields(j, origin, at,
              {"service", "database", "role", "secret", "fallback", "expects", "ledger_table"});
  dependency d;
  d.at = at;
  if (!j.contains("service"))
    fail(origin, at + ".service", "missing (the service depended on)");
  d.service = get_name(j["service"], origin, at + ".service");
  if (j.contains("database"))
    d.database = get_string(j["database"], origin, at + ".database");
  if (j.contains("role"))
    d.role = get_string(j["role"], origin, at + ".role");
  if (j.contains("secret"))
    d.secret = get_name(j["secret"], origin, at + ".secret");
  if (j.contains("fallback"))
    d.fallback = get_name(j["fallback"], origin, at + ".fallback");
  if (j.contains("expects"))
    d.expects = get_array(j["expects"], origin, at + ".expects");
  if (j.contains("ledger_table"))
    d.ledger_table = get_name(j["ledger_table"], origin, at + ".ledger_table");
  if (d.database.empty() != d.role.empty())
    fail(origin, at + (d.database.empty() ? ".database" : ".role"),
         "a database login needs both database and role");
  if (d.database.empty() && (!d.secret.empty() || !d.expects.empty() || !d.ledger_table.empty()))
    fail(origin, at + ".database",
         "missing (secret, expects and ledger_table belong to a database login)");
  return d;
}

volume parse_volume(const json& j, const std::string& origin, const std::string& at,
                    const std::string& base_dir) {
  get_object(j, origin, at);
  volume v;
  v.at = at;
  for (auto& [key, value] : j.items()) {
    if (key == "path") {
      v.path = get_path(value, origin, at + ".path", base_dir);
    } else if (key == "name") {
      v.name = get_string(value, origin, at + ".name");
      if (v.name.empty())
        fail(origin, at + ".name", "empty");
    } else if (key == "use") {
      auto use = get_string(value, origin, at + ".use");
      if (use == "data")
        v.use = volume_use::data;
      else if (use == "ephemeral")
        v.use = volume_use::ephemeral;
      else if (use == "never_touch")
        v.use = volume_use::never_touch;
      else
        fail(origin, at + ".use", "expected data, ephemeral or never_touch, got '" + use + "'");
    } else {
      v.limits[key] = value; // disk probe fields, checked when derived
    }
  }
  if (v.path.empty())
    fail(origin, at + ".path", "missing");
  return v;
}

log_file parse_log(const json& j, const std::string& origin, const std::string& at,
                   const std::string& base_dir) {
  get_object(j, origin, at);
  only_fields(j, origin, at, {"path", "errors", "interval_ms", "window_ms"});
  log_file l;
  l.at = at;
  if (!j.contains("path"))
    fail(origin, at + ".path", "missing");
  l.path = get_path(j["path"], origin, at + ".path", base_dir);
  if (j.contains("errors")) {
    l.errors = get_string(j["errors"], origin, at + ".errors");
    try {
      std::regex re{l.errors};
    } catch (const std::regex_error& e) {
      fail(origin, at + ".errors", "not a valid regular expression: " + std::string{e.what()});
    }
  }
  for (auto key : {"interval_ms", "window_ms"})
    if (j.contains(key))
      l.fields[key] = j[key];
  return l;
}

modelled_service parse_service(const json& j, const std::string& origin, const std::string& at,
                               const std::string& base_dir) {
  get_object(j, origin, at);
  only_fields(j, origin, at,
              {"name", "kind", "run", "address", "health", "ready", "metrics", "consistency",
               "process", "reach", "depends_on", "volumes", "logs", "secrets"});
  modelled_service s;
  if (!j.contains("name"))
    fail(origin, at + ".name", "missing (every service needs a name)");
  s.name = get_name(j["name"], origin, at + ".name");
  if (!j.contains("kind"))
    fail(origin, at + ".kind", "missing (one of " + known_kinds() + ")");
  auto kind = kind_from_name(get_string(j["kind"], origin, at + ".kind"));
  if (!kind)
    fail(origin, at + ".kind", "unknown kind '" + j["kind"].get<std::string>() + "' (known: "
                                 + known_kinds() + ")");
  s.kind = *kind;
  if (j.contains("run"))
    s.run = get_name(j["run"], origin, at + ".run");
  if (j.contains("address")) {
    s.address = get_string(j["address"], origin, at + ".address");
    try {
      parse_endpoint(s.address, at + ".address");
    } catch (const config_error& e) {
      fail(origin, at + ".address", e.what());
    }
  }
  std::pair<const char*, probe_spec*> specs[] = {
    {"health", &s.health}, {"ready", &s.ready},     {"metrics", &s.metrics},
    {"consistency", &s.consistency}, {"process", &s.process}, {"reach", &s.reach}};
  for (auto& [key, spec] : specs)
    if (j.contains(key))
      *spec = get_spec(j[key], origin, at + "." + key);
  if (j.contains("depends_on")) {
    auto& list = get_array(j["depends_on"], origin, at + ".depends_on");
    for (size_t i = 0; i < list.size(); ++i)
      s.depends_on.push_back(
        parse_dependency(list[i], origin, at + ".depends_on[" + std::to_string(i) + "]"));
  }
  if (j.contains("volumes")) {
    auto& list = get_array(j["volumes"], origin, at + ".volumes");
    for (size_t i = 0; i < list.size(); ++i)
      s.volumes.push_back(
        parse_volume(list[i], origin, at + ".volumes[" + std::to_string(i) + "]", base_dir));
    for (auto& v : s.volumes)
      if (v.name.empty())
        v.name = s.name + "-" + volume_use_name(v.use);
  }
  if (j.contains("logs")) {
    auto& list = get_array(j["logs"], origin, at + ".logs");
    for (size_t i = 0; i < list.size(); ++i)
      s.logs.push_back(
        parse_log(list[i], origin, at + ".logs[" + std::to_string(i) + "]", base_dir));
  }
  if (j.contains("secrets"))
    for (auto& f : get_array(j["secrets"], origin, at + ".secrets"))
      s.secrets.push_back(get_name(f, origin, at + ".secrets"));
  if (s.process.present() && s.run.empty())
    fail(origin, at + ".process", "needs run (only a service Vigil runs has a process to watch)");
  return s;
}

/// Vigil runs it, or it listens on a loopback address: it shares this host.
bool on_this_host(const modelled_service& s) {
  if (!s.run.empty())
    return true;
  if (s.address.empty())
    return false;
  auto host = parse_endpoint(s.address, s.name).host;
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

/// Every reference names a service of the model, and the graph has no cycle.
void check_graph(const service_model& m) {
  for (auto& s : m.services)
    for (auto& d : s.depends_on) {
      if (!m.find(d.service))
        fail(m.origin, d.at + ".service", "no service named '" + d.service + "' in the model");
      if (d.service == s.name)
        fail(m.origin, d.at + ".service", "a service cannot depend on itself");
      if (!d.fallback.empty() && !m.find(d.fallback))
        fail(m.origin, d.at + ".fallback", "no service named '" + d.fallback + "' in the model");
    }
  std::map<std::string, int> mark; // 1: on the path, 2: done
  std::function<void(const modelled_service&)> visit = [&](const modelled_service& s) {
    mark[s.name] = 1;
    for (auto& d : s.depends_on) {
      if (mark[d.service] == 1)
        fail(m.origin, d.at + ".service", "dependency cycle through '" + d.service + "'");
      if (mark[d.service] == 0)
        visit(*m.find(d.service));
    }
    mark[s.name] = 2;
  };
  for (auto& s : m.services)
    if (mark[s.name] == 0)
      visit(s);
}

} // namespace

const char* kind_name(component_kind kind) {
  for (auto& [k, name] : kind_names)
    if (k == kind)
      return name;
  return "unknown";
}

std::optional<component_kind> kind_from_name(const std::string& name) {
  for (auto& [k, n] : kind_names)
    if (name == n)
      return k;
  return std::nullopt;
}

const char* volume_use_name(volume_use use) {
  switch (use) {
    case volume_use::data: return "data";
    case volume_use::ephemeral: return "ephemeral";
    case volume_use::never_touch: return "never_touch";
  }
  return "unknown";
}

const modelled_service* service_model::find(const std::string& name) const {
  for (auto& s : services)
    if (s.name == name)
      return &s;
  return nullptr;
}

std::string service_model::secret_path(const std::string& secret) const {
  return (fs::path{secrets_dir} / secret).lexically_normal().string();
}

std::map<std::string, std::vector<std::string>> service_model::dependents() const {
  std::map<std::string, std::vector<std::string>> out;
  for (auto& s : services)
    for (auto& d : s.depends_on) {
      auto& list = out[d.service];
      if (std::find(list.begin(), list.end(), s.name) == list.end())
        list.push_back(s.name);
    }
  if (!host_name.empty())
    for (auto& s : services)
      if (on_this_host(s))
        out[host_name].push_back(s.name);
  return out;
}

service_model parse_service_model(const std::string& text, const std::string& origin,
                                  const std::string& base_dir) {
  auto doc = config_fields::parse_object(text, origin);
  only_fields(doc, origin, "", {"secrets_dir", "service_manager", "host", "services"});
  service_model m;
  m.origin = origin;
  m.folder = base_dir;
  if (doc.contains("secrets_dir"))
    m.secrets_dir = get_path(doc["secrets_dir"], origin, "secrets_dir", base_dir);
  if (doc.contains("service_manager")) {
    auto& sm = get_object(doc["service_manager"], origin, "service_manager");
    only_fields(sm, origin, "service_manager", {"state_file"});
    if (sm.contains("state_file"))
      m.state_file = get_path(sm["state_file"], origin, "service_manager.state_file", base_dir);
  }
  if (doc.contains("host")) {
    m.host = get_spec(doc["host"], origin, "host");
    m.host_name = m.host.fields.contains("name")
                    ? get_name(m.host.fields["name"], origin, "host.name")
                    : "host";
    m.host.fields.erase("name");
  }
  if (!doc.contains("services"))
    fail(origin, "services", "missing (an array of services)");
  auto& list = get_array(doc["services"], origin, "services");
  std::set<std::string> names;
  std::set<std::string> volume_names;
  for (size_t i = 0; i < list.size(); ++i) {
    auto at = "services[" + std::to_string(i) + "]";
    auto s = parse_service(list[i], origin, at, base_dir);
    if (!names.insert(s.name).second)
      fail(origin, at + ".name", "duplicate service name '" + s.name + "'");
    if (s.name == m.host_name)
      fail(origin, at + ".name", "'" + s.name + "' names the host");
    if (!s.run.empty() && m.state_file.empty())
      fail(origin, at + ".run", "needs service_manager.state_file (where the service manager "
                                "reports its processes)");
    // The action plane finds a volume by its name: two with one name would
    // let a fix of one touch the other.
    for (auto& v : s.volumes)
      if (v.use != volume_use::never_touch && !volume_names.insert(v.name).second)
        fail(origin, v.at + ".name",
             "duplicate volume name '" + v.name + "' (give each volume its own \"name\")");
    for (auto& d : s.depends_on)
      if (!d.secret.empty() && m.secrets_dir.empty())
        fail(origin, d.at + ".secret", "needs secrets_dir (the folder of the secret files)");
    m.services.push_back(std::move(s));
  }
  check_graph(m);
  return m;
}

service_model load_service_model(const std::string& path) {
  return parse_service_model(config_fields::read_config_file(path), path, config_fields::folder_of(path));
}

/// The hops of a database login: the service named, then what each proxy
/// forwards to, down to the database (a service of kind postgres).
std::vector<const modelled_service*> login_hops(const service_model& m, const dependency& d) {
  std::vector<const modelled_service*> hops;
  auto* hop = m.find(d.service);
  while (hop) {
    hops.push_back(hop);
    if (hop->kind == component_kind::postgres)
      return hops;
    if (hop->depends_on.empty())
      fail(m.origin, d.at + ".service", "'" + hop->name + "' is on the way to database '"
                                          + d.database + "' but depends on nothing "
                                          "(a proxy names what it forwards to)");
    hop = m.find(hop->depends_on.front().service);
  }
  return hops;
}

} // namespace vigil
