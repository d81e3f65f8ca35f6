// Strict reading of a tool's arguments: an object, known names only, each of
// the right type and within bounds; what is missing gets its default.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vigil::actions {

class tool_args {
public:
  /// Throws bad_args unless `args` is an object whose names are all in `known`.
  tool_args(const nlohmann::json& args, std::set<std::string> known);

  /// 1..256 characters when given; required when `fallback` is empty.
  std::string text(const std::string& name, const std::string& fallback) const;
  /// One of `choices`; required when `fallback` is empty.
  std::string choice(const std::string& name, const std::vector<std::string>& choices,
                     const std::string& fallback) const;
  /// A whole number (or a string of digits) in min..max.
  int64_t integer(const std::string& name, int64_t min, int64_t max, int64_t fallback) const;
  bool flag(const std::string& name, bool fallback) const;
  /// A list of non-empty strings.
  std::vector<std::string> texts(const std::string& name,
                                 const std::vector<std::string>& fallback) const;

private:
  const nlohmann::json* find(const std::string& name) const;

  const nlohmann::json& args_;
};

/// Secret and volume names: 1..64 of a-z, A-Z, 0-9, '-', '_', '.', not
/// starting with '.'; so a name can never be a path.
bool is_plain_name(const std::string& name);

} // namespace vigil::actions
