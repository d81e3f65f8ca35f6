#include "stack/shopd/secret_file.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vigil::shop {

std::string read_secret(const std::string& path, const std::string& what) {
  std::ifstream in{path};
  if (!in)
    throw secret_error("cannot read " + what + " from " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  auto secret = text.str();
  // Editors and `echo` add a newline that is not part of the secret.
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back())))
    secret.pop_back();
  if (secret.empty())
    throw secret_error(what + " file " + path + " is empty");
  return secret;
}

} // namespace vigil::shop
