// Every tool of the action plane, one file each (the list runbooks may use
// is known_tools() in actors/knowledge/runbook.cpp).
#pragma once

#include <vector>

#include "actors/actions/tool.hpp"

namespace vigil::actions {

// The stack's processes, through the node's service manager.
tool_ptr make_start_service(const actions_config& cfg);
tool_ptr make_restart_service(const actions_config& cfg);
tool_ptr make_stop_service(const actions_config& cfg);
tool_ptr make_rollback_config(const actions_config& cfg);
tool_ptr make_kill_process(const actions_config& cfg);
// Vigil itself.
tool_ptr make_restart_actor(const actions_config& cfg);
tool_ptr make_start_node(const actions_config& cfg);
// The target database.
tool_ptr make_start_db(const actions_config& cfg);
tool_ptr make_rotate_db_secret(const actions_config& cfg);
tool_ptr make_terminate_blocking_sessions(const actions_config& cfg);
tool_ptr make_terminate_idle_sessions(const actions_config& cfg);
tool_ptr make_rerun_migrations(const actions_config& cfg);
tool_ptr make_restore_snapshot(const actions_config& cfg);
tool_ptr make_reset_db_proxy(const actions_config& cfg);
// The shop's own state.
tool_ptr make_clear_cache(const actions_config& cfg);
tool_ptr make_switch_upstream(const actions_config& cfg);
tool_ptr make_free_disk(const actions_config& cfg);

/// Every tool, in the order above.
std::vector<tool_ptr> make_toolbox(const actions_config& cfg);

} // namespace vigil::actions
