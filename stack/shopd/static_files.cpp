#include "stack/shopd/static_files.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace vigil::shop {

namespace {

std::string content_type_of(const std::string& name) {
  auto dot = name.rfind('.');
  auto ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  if (ext == "html")
    return "text/html; charset=utf-8";
  if (ext == "js")
    return "text/javascript; charset=utf-8";
  if (ext == "css")
    return "text/css; charset=utf-8";
  if (ext == "svg")
    return "image/svg+xml";
  if (ext == "png")
    return "image/png";
  if (ext == "ico")
    return "image/x-icon";
  return "application/octet-stream";
}

// Only flat names: no '/', no leading '.', so nothing outside web_dir.
bool plain_name(const std::string& name) {
  return !name.empty() && name.front() != '.'
         && std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_'
                     || c == '-';
            });
}

} // namespace

http::response serve_static(const std::string& web_dir, const std::string& name) {
  if (!plain_name(name))
    return http::error(400, "bad file name '" + name + "'");
  std::ifstream in{web_dir + "/" + name, std::ios::binary};
  if (!in)
    return http::error(404, "no file '" + name + "' in the front end");
  std::stringstream body;
  body << in.rdbuf();
  http::response res;
  res.status = 200;
  res.content_type = content_type_of(name);
  res.body = body.str();
  res.headers.emplace_back("Cache-Control", "no-cache");
  return res;
}

} // namespace vigil::shop
