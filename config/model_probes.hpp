// The probes a service model implies: for every service, what its model
// declares it has, checked the way its kind is checked. A service Vigil runs
// gets a process probe; an endpoint an HTTP probe; a volume a disk probe; a
// log with an error pattern a log probe; every database login a Postgres
// probe at each hop from the app's point of view (the proxy or pooler, then
// the database itself, with the app's role, secret and expected schema).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/service_model.hpp"

namespace vigil {

/// One derived probe: its fields as a probes file would give them, and
/// where in the model it comes from (for errors).
struct derived_probe {
  nlohmann::json spec;
  std::string at;
};

/// The probes of every service of `model`, in the model's order. Throws
/// config_error when a service lacks what a probe of it needs (an address
/// on a database hop, a database login for a consistency check).
std::vector<derived_probe> derive_probes(const service_model& model);

} // namespace vigil
