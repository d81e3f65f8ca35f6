// The last known good config of each service, kept in the action node's
// state_dir (<state_dir>/known-good/<service>.config). A config counts as
// good when the file has not changed for `stable_for_s` (longer than the
// app's pooled connections live, so old connections cannot vouch for it)
// and the app's readiness says its DB and its upstream work with it.
#pragma once

#include <optional>
#include <string>

#include "actors/actions/tools/stack_admin.hpp"

namespace vigil::actions {

class known_good_config {
public:
  known_good_config(actions_config cfg, stack_service service);

  /// The last known good text, if one was recorded.
  std::optional<std::string> load() const;

  /// Records `text` as known good (atomically).
  void save(const std::string& text) const;

  /// Whether the service's readiness says DB and upstream work (and why not).
  bool app_works(std::string* why = nullptr) const;

  /// Records the live file when it is stable and the app works; returns
  /// whether it recorded something new.
  bool record_if_good(int stable_for_s) const;

private:
  std::string path() const;

  actions_config cfg_;
  stack_service service_;
};

} // namespace vigil::actions
