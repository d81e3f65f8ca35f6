#include "actors/actions/tools/tools.hpp"

namespace vigil::actions {

std::vector<tool_ptr> make_toolbox(const actions_config& cfg) {
  std::vector<tool_ptr> result;
  // Each tool adds itself here as it is built, in the order of tools.hpp.
  result.push_back(make_start_service(cfg));
  result.push_back(make_restart_service(cfg));
  result.push_back(make_stop_service(cfg));
  result.push_back(make_rollback_config(cfg));
  result.push_back(make_kill_process(cfg));
  result.push_back(make_restart_actor(cfg));
  result.push_back(make_start_node(cfg));
  result.push_back(make_start_db(cfg));
  result.push_back(make_rotate_db_secret(cfg));
  result.push_back(make_terminate_blocking_sessions(cfg));
  result.push_back(make_terminate_idle_sessions(cfg));
  result.push_back(make_rerun_migrations(cfg));
  result.push_back(make_restore_snapshot(cfg));
  result.push_back(make_reset_db_proxy(cfg));
  result.push_back(make_clear_cache(cfg));
  result.push_back(make_switch_upstream(cfg));
  result.push_back(make_free_disk(cfg));
  static_cast<void>(cfg);
  return result;
}

} // namespace vigil::actions
