// Building libpq connection strings ("host=... dbname=..."): every value
// quoted, so a socket folder or password with spaces or quotes stays one value.
#pragma once

#include <string>

namespace vigil {

/// `value` in single quotes, with \ and ' escaped by a backslash (libpq's rules).
inline std::string conninfo_value(const std::string& value) {
  std::string result = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'')
      result += '\\';
    result += c;
  }
  return result + "'";
}

} // namespace vigil
