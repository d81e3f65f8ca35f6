// A service's config history: the config a start launched with, and the last
// one the service proved healthy on ("last known good"). The service manager
// copies a service's config files when it launches it, promotes that copy once
// the service answered its healthy_url and kept running a while, tells whether
// the live files differ from the last good ones, and puts those back on
// request. So "config changed since the last good start" is a fact the
// manager states, for any service whose services file lists its config files.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vigil::services {

class config_history {
public:
  /// Copies live under `root`/<service>/{launch,good}/<n> (n: the file's
  /// position in the service's config_files).
  explicit config_history(std::string root);

  /// The files as a start launches with them (missing files are noted as
  /// missing). Returns an error text, empty on success.
  std::string record_launch(const std::string& service, const std::vector<std::string>& files);

  /// The launch copy becomes the last good one. Returns an error text.
  std::string promote(const std::string& service);

  /// Whether the live files differ from the last good ones; nullopt when
  /// none is known yet (no start proved healthy).
  std::optional<bool> changed(const std::string& service,
                              const std::vector<std::string>& files) const;

  /// Writes the last good files back over the live ones (same mode and
  /// owner), keeping
  /// each replaced file as <root>/<service>/replaced-<ms>/<n>. Returns what
  /// was done, in words; throws std::runtime_error when nothing good is known.
  std::string restore(const std::string& service, const std::vector<std::string>& files);

private:
  std::string dir(const std::string& service, const std::string& which) const;

  std::string root_;
};

} // namespace vigil::services
