// The action node's secret store: one file per secret, named by the
// secret's name, in secrets_dir. Values are read and written here only and
// never leave the action node; everything else names secrets.
#pragma once

#include <string>

namespace vigil::actions {

class secret_store {
public:
  explicit secret_store(std::string dir);

  /// Whether `name` can be a secret's name (a plain name, never a path).
  static bool valid_name(const std::string& name);

  /// The value, trimmed of trailing white space; throws tool_failure when
  /// the secret does not exist or cannot be read.
  std::string read(const std::string& name) const;

  /// Whether the secret's file exists.
  bool exists(const std::string& name) const;

  /// Replaces the value atomically (temp file, fsync, rename, fsync of the
  /// folder), mode 0600; throws tool_failure.
  void write(const std::string& name, const std::string& value) const;

  /// A new random value: 48 hex digits from the kernel's random source.
  static std::string random_value();

private:
  std::string path_of(const std::string& name) const;

  std::string dir_;
};

} // namespace vigil::actions
