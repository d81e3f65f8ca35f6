// The `exec` backend: each service is a fork/exec'd child in its own session
// and process group, its output appended to a log file, its memory limited by
// a cgroup (or RLIMIT_AS where no cgroup can be made).
#pragma once

#include "actors/services/service_backend.hpp"

namespace vigil::services {

class exec_backend : public service_backend {
public:
  explicit exec_backend(const services_config& cfg);

  std::string name() const override;

  process_handle start(const service_config& svc, const std::string& log_path,
                       exit_callback on_exit) override;

  bool adopt(const process_handle& process, exit_callback on_exit) override;

  void terminate(const process_handle& process) override;

  void kill(const process_handle& process) override;

  uint64_t rss_bytes(const process_handle& process) override;
  process_activity activity(const process_handle& process) override;

private:
  /// Adds what only the backend knows (an OOM kill, leftovers of the group).
  exit_callback wrap(const process_handle& process, exit_callback on_exit);

  void signal_group(const process_handle& process, int sig);

  std::string cgroup_parent_;
};

} // namespace vigil::services
