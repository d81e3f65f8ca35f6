// The supervisord baseline: shopd taken from Vigil's service manager and run
// by supervisord (autorestart) instead, for a campaign with the agents
// paused. shopd is started through a small shell wrapper that writes its
// pid to <dir>/pids/shopd.pid before exec'ing shopd, so the chaos plane's
// crash fault still finds it (chaos-targets.json "external_pid_dir").
#pragma once

#include <string>

namespace vigilctl::drill {

struct supervisord_settings {
  std::string services_file;  ///< var/stack/services.json: shopd's command, args, limits.
  std::string dir;            ///< var/baseline: config, logs, socket, pids.
  std::string template_file;  ///< stack/baseline/supervisord.conf.in.
  std::string service = "shopd";
};

class supervisord_baseline {
public:
  explicit supervisord_baseline(supervisord_settings settings);
  ~supervisord_baseline(); ///< Stops supervisord (and shopd) if still running.

  /// Writes the config from the template and starts supervisord (which
  /// starts shopd). Throws std::runtime_error with supervisord's output.
  void start();
  /// shopd's pid as supervisord reports it; 0 when not running.
  int pid() const;
  /// How often supervisord has started shopd since start() (from its log).
  int starts() const;
  /// Shuts supervisord and shopd down; idempotent.
  void stop();

  const std::string& config_path() const { return config_path_; }

private:
  supervisord_settings settings_;
  std::string config_path_;
  bool running_ = false;
};

} // namespace vigilctl::drill
