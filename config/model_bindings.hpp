// What a failure mode's placeholders mean for one component of the service
// model: "$service" is the component itself; a database or a proxy on the
// way to one also gets the login that reaches it ("$app", "$hop", "$db",
// "$database", "$role", "$secret"); an upstream gets who calls it and its
// fallback ("$app", "$fallback"); a service with volumes gets each by the
// name the action plane knows it by ("$volume"). So a runbook written once for a kind of
// component names no service of any stack (docs/RUNBOOKS.md, "Placeholders").
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/service_model.hpp"

namespace vigil {

/// Placeholder ("$app") -> value ("shopd").
using binding = std::map<std::string, std::string>;

/// The ways a failure mode can be bound to `component`: one per database
/// login that reaches a database or passes a proxy (logins that differ only
/// in the app are one, its apps listed in "$apps"), one per caller of an
/// upstream; otherwise just {"$service", "$kind"}; each of those once per
/// volume ("$volume": "<service>-<use>") when the service has volumes. A
/// component outside the model ("host") gets {"$service"} alone.
std::vector<binding> bindings_of(const service_model& model, const std::string& component);

/// Every placeholder a binding may fill ("$service", "$volume"...).
const std::set<std::string>& binding_placeholders();

/// Every component of the model (and the host) with its bindings.
std::map<std::string, std::vector<binding>> all_bindings(const service_model& model);

} // namespace vigil
