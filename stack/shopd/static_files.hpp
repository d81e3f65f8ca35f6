// The front end's files from web_dir: index.html for "/", assets by name.
#pragma once

#include <string>

#include "http/server.hpp"

namespace vigil::shop {

/// The file `name` (a plain file name, no folders) from `web_dir`, with its
/// content type; 404 when missing, 400 for names that try to leave web_dir.
http::response serve_static(const std::string& web_dir, const std::string& name);

} // namespace vigil::shop
