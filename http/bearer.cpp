#include "http/bearer.hpp"

namespace vigil::http {

bool bearer_matches(const std::string& authorization, const std::string& token) {
  static const std::string scheme = "Bearer ";
  if (token.empty() || authorization.compare(0, scheme.size(), scheme) != 0)
    return false;
  auto given = authorization.substr(scheme.size());
  if (given.size() != token.size())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

} // namespace vigil::http
