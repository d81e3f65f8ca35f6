// "$name" placeholders in runbooks: filled from a binding of the service
// model (config/model_bindings.hpp) and, for steps, from the incident's
// signals ("$incident", "$node", "$actor"). One scanner for both, so a
// placeholder means the same in a symptom and in a step.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vigil::agents {

/// `text` with every "$name" found in `values` replaced; the names it
/// holds that `values` lacks (or has empty) go to `missing` when given.
std::string fill_placeholders(const std::string& text,
                              const std::map<std::string, std::string>& values,
                              std::vector<std::string>* missing = nullptr);

/// The same for every string inside `j`.
void fill_placeholders(nlohmann::json& j, const std::map<std::string, std::string>& values,
                       std::vector<std::string>* missing = nullptr);

/// Whether `text` still holds a "$name".
bool has_placeholder(const std::string& text);

} // namespace vigil::agents
