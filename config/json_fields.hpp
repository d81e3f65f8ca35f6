// Reading one field of a JSON config with an error that names the file and
// the field: shared by every config loader in this folder.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace vigil::config_fields {

/// The whole file; throws config_error "PATH: cannot read the file".
std::string read_config_file(const std::string& path);

/// Config text (comments allowed) that must hold a JSON object at the top;
/// throws config_error "ORIGIN: not valid JSON: ..." or "...: expected a JSON object".
nlohmann::json parse_object(const std::string& text, const std::string& origin);

/// Throws config_error "ORIGIN: field 'FIELD': PROBLEM".
[[noreturn]] void fail(const std::string& origin, const std::string& field,
                       const std::string& problem);

std::string get_string(const nlohmann::json& j, const std::string& origin,
                       const std::string& field);

/// A path; a relative one resolves against `base_dir`. Not empty.
std::string get_path(const nlohmann::json& j, const std::string& origin,
                     const std::string& field, const std::string& base_dir);

/// 1-64 letters, digits, '-', '_' or '.': a name that is safe in a file
/// name, an actor path and a metric label.
bool is_name(const std::string& name);

/// The folder of a config file, absolute: its relative paths resolve there.
std::string folder_of(const std::string& path);

/// An integer within min..max.
uint64_t get_uint(const nlohmann::json& j, const std::string& origin, const std::string& field,
                  uint64_t min, uint64_t max);

} // namespace vigil::config_fields
