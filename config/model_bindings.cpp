#include "config/model_bindings.hpp"

#include <algorithm>

namespace vigil {

namespace {

/// The app's logins whose hops pass `component`.
void add_logins(const service_model& m, const modelled_service& component,
                std::vector<binding>& out) {
  for (auto& app : m.services)
    for (auto& d : app.depends_on) {
      if (d.database.empty())
        continue;
      auto hops = login_hops(m, d);
      bool passes = std::any_of(hops.begin(), hops.end(),
                                [&](auto* hop) { return hop->name == component.name; });
      if (!passes || hops.empty())
        continue;
      binding b{{"$service", component.name},
                {"$kind", kind_name(component.kind)},
                {"$app", app.name},
                {"$apps", app.name},
                {"$hop", hops.front()->name},
                {"$db", hops.back()->name},
                {"$database", d.database},
                {"$role", d.role},
                {"$secret", d.secret}};
      // Only a login whose app names its ledger can lose records.
      if (!d.ledger_table.empty())
        b["$table"] = d.ledger_table;
      // The same login from another app: one binding, the apps listed.
      auto same = std::find_if(out.begin(), out.end(), [&](const binding& o) {
        for (auto* key : {"$hop", "$db", "$database", "$role", "$secret", "$table"})
          if (o.count(key) != b.count(key) || (o.count(key) != 0 && o.at(key) != b.at(key)))
            return false;
        return true;
      });
      if (same != out.end())
        (*same)["$apps"] += "," + app.name;
      else
        out.push_back(std::move(b));
    }
}

/// Who calls the upstream `component`, and what they fall back to.
void add_callers(const service_model& m, const modelled_service& component,
                 std::vector<binding>& out) {
  for (auto& app : m.services)
    for (auto& d : app.depends_on)
      if (d.service == component.name && d.database.empty())
        out.push_back({{"$service", component.name},
                       {"$kind", kind_name(component.kind)},
                       {"$app", app.name},
                       {"$apps", app.name},
                       {"$fallback", d.fallback}});
}

/// Each binding once per volume the service's probes watch (data and
/// ephemeral): "$volume" is the name the action plane knows it by (the
/// model's, "<service>-<use>" unless named). A service without one keeps its
/// bindings as they are, and a mode naming "$volume" does not bind to it.
std::vector<binding> with_volumes(const modelled_service& s, std::vector<binding> out) {
  std::vector<binding> per_volume;
  for (auto& v : s.volumes) {
    if (v.use == volume_use::never_touch)
      continue;
    for (auto b : out) {
      b["$volume"] = v.name;
      per_volume.push_back(std::move(b));
    }
  }
  return per_volume.empty() ? out : per_volume;
}

} // namespace

std::vector<binding> bindings_of(const service_model& model, const std::string& component) {
  auto* s = model.find(component);
  if (s == nullptr)
    return {binding{{"$service", component}}};
  std::vector<binding> out;
  switch (s->kind) {
    case component_kind::postgres:
    case component_kind::tcp_proxy:
      add_logins(model, *s, out);
      break;
    case component_kind::http_upstream:
    case component_kind::cache:
      add_callers(model, *s, out);
      break;
    default:
      break;
  }
  if (out.empty())
    out.push_back({{"$service", s->name}, {"$kind", kind_name(s->kind)}});
  return with_volumes(*s, std::move(out));
}

const std::set<std::string>& binding_placeholders() {
  static const std::set<std::string> names{"$service", "$kind", "$app", "$apps", "$hop",
                                           "$db", "$database", "$role", "$secret",
                                           "$fallback", "$volume", "$table"};
  return names;
}

std::map<std::string, std::vector<binding>> all_bindings(const service_model& model) {
  std::map<std::string, std::vector<binding>> out;
  for (auto& s : model.services)
    out[s.name] = bindings_of(model, s.name);
  if (!model.host_name.empty())
    out[model.host_name] = bindings_of(model, model.host_name);
  return out;
}

} // namespace vigil
