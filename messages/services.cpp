// Names of the services protocol's process activities.
#include "messages/services.hpp"

namespace vigil {

const char* to_string(process_activity x) {
  switch (x) {
    case process_activity::none: return "none";
    case process_activity::running: return "running";
    case process_activity::sleeping: return "sleeping";
    case process_activity::disk_wait: return "disk_wait";
    case process_activity::stopped: return "stopped";
    case process_activity::zombie: return "zombie";
  }
  return "none";
}

process_activity activity_of_state(char state) {
  switch (state) {
    case 'R': return process_activity::running;
    case 'S':
    case 'I': return process_activity::sleeping;
    case 'D': return process_activity::disk_wait;
    case 'T':
    case 't': return process_activity::stopped;
    case 'Z':
    case 'X': return process_activity::zombie;
    default: return process_activity::none;
  }
}

} // namespace vigil
