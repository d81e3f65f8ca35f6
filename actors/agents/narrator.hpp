// The narrator ("<node>/control/agents/narrator"): turns an incident into a
// short brief (answered as Markdown and posted to the chat webhooks) and,
// once it is closed, into a postmortem: written to reports_dir as
// <incident>.md and .json, stored in the ops store (postmortems) and indexed
// into the knowledge store as "postmortem/<incident>" so the next similar
// incident finds it. Runs detached: its database work never holds a thread
// of the shared scheduler, and webhooks post from threads of their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/agents/agents_context.hpp"
#include "config/agents_config.hpp"
#include "messages/incidents.hpp"
#include "supervision/child_spec.hpp"
#include "supervision/name_directory.hpp"

namespace vigil::agents {

struct narrator_settings {
  std::string node_id;
  std::string reports_dir;      ///< Created when missing.
  std::string ops_dsn;          ///< Empty: reports are only written to files.
  std::vector<webhook_config> webhooks;
  std::chrono::milliseconds webhook_timeout = std::chrono::seconds(5);
  /// Where the status board ("<node>/control/status") is, for "after" metrics.
  std::shared_ptr<supervision::name_directory> directory;
  std::chrono::milliseconds status_timeout = std::chrono::seconds(3);
  /// How often postmortems the ops store refused are tried again.
  std::chrono::milliseconds retry_every = std::chrono::seconds(30);
  /// Unix time in ms; empty: the system clock.
  std::function<int64_t()> now_unix_ms;
};

/// The settings from the control node's agents context; the agents file's
/// "narrator" object may set "webhook_timeout_ms" and "status_timeout_ms".
narrator_settings narrator_settings_from(const agents_context& ctx);

narrator_actor spawn_narrator(caf::actor_system& sys, narrator_settings settings);

/// The child "narrator" of the agents supervisor.
supervision::child_spec narrator_child(narrator_settings settings);

/// True for incident ids that are safe as file names (letters, digits, '-',
/// '_', '.', not starting with '.').
bool valid_report_name(const std::string& id);

} // namespace vigil::agents
