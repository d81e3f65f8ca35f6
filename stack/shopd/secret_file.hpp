// Secrets (DB password, admin token) live in files of their own, so rotating
// one never means editing the config; they are re-read when needed.
#pragma once

#include <stdexcept>
#include <string>

namespace vigil::shop {

class secret_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The file's contents without trailing whitespace; throws secret_error when
/// the file cannot be read or is empty. `what` names the secret in errors.
std::string read_secret(const std::string& path, const std::string& what);

} // namespace vigil::shop
