#include "actors/actions/secret_store.hpp"

#include <random>

#include "actors/actions/tool.hpp"
#include "actors/actions/tools/file_ops.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

secret_store::secret_store(std::string dir) : dir_(std::move(dir)) {
  // nop
}

bool secret_store::valid_name(const std::string& name) {
  return is_plain_name(name);
}

std::string secret_store::path_of(const std::string& name) const {
  if (!valid_name(name))
    throw tool_failure("secret store: '" + name + "' is not a secret name");
  if (dir_.empty())
    throw tool_failure("secret store: no secrets_dir configured");
  return dir_ + "/" + name;
}

bool secret_store::exists(const std::string& name) const {
  return file_exists(path_of(name));
}

std::string secret_store::read(const std::string& name) const {
  std::string value;
  try {
    value = read_text(path_of(name));
  } catch (const tool_failure&) {
    // The path says nothing a caller needs; the name is enough.
    throw tool_failure("secret store: cannot read secret " + name);
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' '))
    value.pop_back();
  return value;
}

void secret_store::write(const std::string& name, const std::string& value) const {
  write_atomically(path_of(name), value + "\n", 0600);
}

std::string secret_store::random_value() {
  std::random_device rd; // the kernel's random source on Linux
  static const char* hex = "0123456789abcdef";
  std::string value;
  for (int i = 0; i < 24; ++i) {
    auto byte = rd() & 0xffu;
    value += hex[byte >> 4];
    value += hex[byte & 0xfu];
  }
  return value;
}

} // namespace vigil::actions
