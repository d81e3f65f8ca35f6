#include "config/model_probes.hpp"

#include <set>

#include "config/json_fields.hpp"
#include "config/node_config.hpp"

namespace vigil {

namespace {

using json = nlohmann::json;
using config_fields::fail;

/// Collects probes, each name once: two apps logging in through the same
/// pooler as the same role need one probe of it, not two.
class probe_list {
public:
  void add(json spec, const std::string& at) {
    auto name = spec["name"].get<std::string>();
    if (!names_.insert(name).second)
      return;
    out_.push_back(derived_probe{std::move(spec), at});
  }
  bool has(const std::string& name) const { return names_.count(name) > 0; }
  std::vector<derived_probe> take() { return std::move(out_); }

private:
  std::set<std::string> names_;
  std::vector<derived_probe> out_;
};

/// `base` with the model's own fields for it laid over.
json with_fields(json base, const json& fields) {
  for (auto& [key, value] : fields.items())
    base[key] = value;
  return base;
}

/// "name", "name-2", "name-3"...: the i-th probe of one sort on a service.
std::string nth(const std::string& name, size_t i) {
  return i == 0 ? name : name + "-" + std::to_string(i + 1);
}

void add_address(json& spec, const service_model& m, const modelled_service& s,
                 const std::string& why_at) {
  if (s.address.empty())
    fail(m.origin, why_at, "'" + s.name + "' has no address (" + why_at
                             + " reaches it over the network)");
  auto ep = parse_endpoint(s.address, s.name + ".address");
  spec["host"] = ep.host;
  spec["port"] = ep.port;
}

json login(const service_model& m, const dependency& d) {
  json spec{{"dbname", d.database}, {"user", d.role}};
  if (!d.secret.empty())
    spec["password_file"] = m.secret_path(d.secret);
  return spec;
}

void add_database_logins(probe_list& out, const service_model& m, const modelled_service& s) {
  for (auto& d : s.depends_on) {
    if (d.database.empty())
      continue;
    for (auto* hop : login_hops(m, d)) {
      bool database = hop->kind == component_kind::postgres;
      json spec = login(m, d);
      spec["name"] = database ? hop->name : hop->name + "-db";
      spec["kind"] = "postgres";
      spec["target"] = hop->name;
      add_address(spec, m, *hop, d.at);
      if (database) {
        if (!hop->logs.empty())
          spec["server_log"] = hop->logs.front().path;
        if (!d.expects.empty())
          spec["checks"] = d.expects;
      }
      out.add(with_fields(spec, hop->reach.fields), hop->reach.present() ? hop->reach.at : d.at);
    }
  }
}

/// The database a service logs in to, at the database itself (not through
/// its proxy): where a consistency check compares the app's answers.
json database_of(const service_model& m, const modelled_service& s, const std::string& at) {
  for (auto& d : s.depends_on)
    if (!d.database.empty()) {
      auto hops = login_hops(m, d);
      json spec = login(m, d);
      add_address(spec, m, *hops.back(), at);
      return spec;
    }
  fail(m.origin, at, "needs a database login in depends_on (the source to compare with)");
}

void add_service(probe_list& out, const service_model& m, const modelled_service& s) {
  auto base = [&](const std::string& suffix, const char* kind) {
    return json{{"name", s.name + "-" + suffix}, {"kind", kind}, {"target", s.name}};
  };
  if (s.health.present())
    out.add(with_fields(base("health", "http"), s.health.fields), s.health.at);
  if (s.ready.present())
    out.add(with_fields(base("ready", "http"), s.ready.fields), s.ready.at);
  if (!s.run.empty()) {
    auto spec = base("process", "process");
    spec["service"] = s.run;
    spec["state_file"] = m.state_file;
    out.add(with_fields(spec, s.process.fields), s.process.present() ? s.process.at : s.name);
  }
  size_t disks = 0;
  for (auto& v : s.volumes) {
    if (v.use == volume_use::never_touch)
      continue;
    auto spec = base("disk", "disk");
    spec["name"] = nth(s.name + "-disk", disks++);
    spec["path"] = v.path;
    out.add(with_fields(spec, v.limits), v.at);
  }
  size_t logs = 0;
  for (auto& l : s.logs) {
    if (l.errors.empty())
      continue;
    auto spec = base("log", "log");
    spec["name"] = nth(s.name + "-log", logs++);
    spec["path"] = l.path;
    spec["patterns"] = json::array({{{"name", "errors"}, {"regex", l.errors}, {"max", 0}}});
    out.add(with_fields(spec, l.fields), l.at);
  }
  if (s.consistency.present()) {
    auto spec = with_fields(base("data", "data"), database_of(m, s, s.consistency.at));
    out.add(with_fields(spec, s.consistency.fields), s.consistency.at);
  }
  if (s.metrics.present())
    out.add(with_fields(base("metrics", "metrics"), s.metrics.fields), s.metrics.at);
  add_database_logins(out, m, s);
}

} // namespace

std::vector<derived_probe> derive_probes(const service_model& m) {
  probe_list out;
  for (auto& s : m.services)
    add_service(out, m, s);
  // A listener nothing else reaches still gets its port checked.
  for (auto& s : m.services) {
    if (s.address.empty() || out.has(s.name) || out.has(s.name + "-db")
        || s.health.present())
      continue;
    json spec{{"name", s.name + "-tcp"}, {"kind", "tcp"}, {"target", s.name},
              {"address", s.address}};
    out.add(with_fields(spec, s.reach.fields), s.reach.present() ? s.reach.at : s.name);
  }
  if (m.host.present()) {
    json spec{{"name", m.host_name + "-cpu"}, {"kind", "host"}, {"target", m.host_name}};
    // Tells the stack's processes from those outside it.
    if (!m.state_file.empty())
      spec["state_file"] = m.state_file;
    out.add(with_fields(spec, m.host.fields), m.host.at);
  }
  return out.take();
}

} // namespace vigil
