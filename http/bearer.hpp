// Checks an "Authorization: Bearer TOKEN" header against the expected token
// without timing hints about how much of it matched.
#pragma once

#include <string>

namespace vigil::http {

/// True when `authorization` is exactly "Bearer " + `token` (and the token is
/// not empty); the comparison takes the same time wherever they differ.
bool bearer_matches(const std::string& authorization, const std::string& token);

} // namespace vigil::http
