// The service manager actor: one entry per configured service with its
// status, pending replies and the process the backend runs. Process exits and
// readiness results arrive as messages from backend and helper threads.
#include "actors/services/service_manager.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/services/config_history.hpp"
#include "actors/services/readiness.hpp"
#include "actors/services/state_file.hpp"
#include "messages/unix_time.hpp"

namespace vigil::services {

namespace {

// Private messages, never sent across nodes.
using exited_atom = caf::atom_constant<caf::atom("sm_exited")>;
using ready_atom = caf::atom_constant<caf::atom("sm_ready")>;
using kill_timer_atom = caf::atom_constant<caf::atom("sm_kill")>;
using next_atom = caf::atom_constant<caf::atom("sm_next")>;
using healthy_atom = caf::atom_constant<caf::atom("sm_healthy")>;
using config_good_atom = caf::atom_constant<caf::atom("sm_cfggood")>;

/// Why a stop was sent, which decides the state the exit leads to.
enum class stop_intent { none, requested, not_ready };

struct service_entry {
  service_config config;
  service_status status;
  process_handle process;
  stop_intent intent = stop_intent::none;
  bool killed_after_timeout = false;
  uint64_t stop_epoch = 0; ///< Tells this stop's kill timer from an older one.
  bool restart_pending = false;
  bool next_when_started = false; ///< Autostart goes on once this start is done.
  cancel_flag readiness;
  cancel_flag health; ///< The check that proves this start's config good.
  std::vector<caf::response_promise> start_waiters;
  std::vector<caf::response_promise> stop_waiters;

  bool live() const {
    return status.state == "starting" || status.state == "running" || status.state == "stopping";
  }
};

struct manager_state {
  static inline const char* name = "vigil.services";
  services_config config;
  std::unique_ptr<service_backend> backend;
  std::vector<service_entry> services; ///< In config order.
  std::string state_path;
  std::unique_ptr<config_history> configs;
  std::deque<std::string> autostart;
  bool shutting_down = false;
  caf::error shutdown_reason;

  service_entry* find(const std::string& name) {
    for (auto& e : services)
      if (e.config.name == name)
        return &e;
    return nullptr;
  }
};

using manager_ptr = caf::stateful_actor<manager_state>*;

std::string signal_name(int sig) {
  auto text = ::sigabbrev_np(sig);
  return text ? std::string{"SIG"} + text : std::to_string(sig);
}

void save(manager_ptr self) {
  std::map<std::string, saved_service> saved;
  for (auto& e : self->state.services)
    saved[e.config.name] = saved_service{e.status, e.process};
  auto problem = write_state_file(self->state.state_path, saved);
  if (!problem.empty())
    spdlog::error("services: {} (a restarted manager may not find running services)", problem);
}

service_status current(manager_ptr self, service_entry& e) {
  auto result = e.status;
  result.rss_bytes = e.live() ? self->state.backend->rss_bytes(e.process) : 0;
  result.activity = e.live() ? self->state.backend->activity(e.process) : process_activity::none;
  result.config_changed
    = self->state.configs->changed(e.config.name, e.config.config_files).value_or(false);
  return result;
}

caf::error service_failure(service_error code, std::string text) {
  return caf::make_error(code, std::move(text));
}

void start_done(manager_ptr self, service_entry& e) {
  if (e.next_when_started) {
    e.next_when_started = false;
    self->send(self, next_atom::value);
  }
}

void deliver_started(manager_ptr self, service_entry& e) {
  auto status = current(self, e);
  for (auto& rp : e.start_waiters)
    rp.deliver(status);
  e.start_waiters.clear();
  start_done(self, e);
}

void fail_started(manager_ptr self, service_entry& e, const std::string& why) {
  for (auto& rp : e.start_waiters)
    rp.deliver(service_failure(service_error::start_failed, e.config.name + ": " + why));
  e.start_waiters.clear();
  start_done(self, e);
}

exit_callback exit_reporter(manager_ptr self, const std::string& name) {
  // Weak: a watch may outlive this actor (a killed manager leaves its
  // processes to the next one).
  auto weak = self->address();
  return [weak, name](pid_t pid, const process_exit& exit) {
    if (auto handle = caf::actor_cast<caf::actor>(weak))
      caf::anon_send(handle, exited_atom::value, name, static_cast<int32_t>(pid),
                     static_cast<int32_t>(exit.exit_code), static_cast<int32_t>(exit.signal),
                     exit.oom_killed, exit.detail);
  };
}

void check_readiness(manager_ptr self, service_entry& e) {
  e.readiness = std::make_shared<std::atomic<bool>>(false);
  auto weak = self->address();
  auto name = e.config.name;
  auto pid = static_cast<int32_t>(e.process.pid);
  await_ready(e.config.ready_url, std::chrono::milliseconds{e.config.ready_timeout_ms},
              e.readiness, [weak, name, pid](bool ready, const std::string& detail) {
                if (auto handle = caf::actor_cast<caf::actor>(weak))
                  caf::anon_send(handle, ready_atom::value, name, pid, ready, detail);
              });
}

void cancel_readiness(service_entry& e) {
  for (auto* flag : {&e.readiness, &e.health}) {
    if (*flag)
      **flag = true;
    *flag = nullptr;
  }
}

/// A ready start with config files: once its healthy_url answers (within
/// the ready timeout) and it keeps running config_good_after_ms more, the
/// config it launched with is its last known good one.
void prove_config(manager_ptr self, service_entry& e) {
  if (e.config.config_files.empty())
    return;
  auto pid = static_cast<int32_t>(e.process.pid);
  if (e.config.healthy_url.empty()) {
    self->send(self, healthy_atom::value, e.config.name, pid);
    return;
  }
  e.health = std::make_shared<std::atomic<bool>>(false);
  auto weak = self->address();
  auto name = e.config.name;
  await_ready(e.config.healthy_url, std::chrono::milliseconds{e.config.ready_timeout_ms},
              e.health, [weak, name, pid](bool healthy, const std::string& detail) {
                if (!healthy) {
                  spdlog::info("services: {} is not healthy on the config it started with ({}); "
                               "its last known good config stays", name, detail);
                  return;
                }
                if (auto handle = caf::actor_cast<caf::actor>(weak))
                  caf::anon_send(handle, healthy_atom::value, name, pid);
              });
}

void launch(manager_ptr self, service_entry& e) {
  auto& st = e.status;
  e.intent = stop_intent::none;
  e.killed_after_timeout = false;
  try {
    e.process = self->state.backend->start(e.config, st.log_path,
                                           exit_reporter(self, e.config.name));
  } catch (const backend_failure& failure) {
    st.state = "failed";
    st.ready = false;
    st.detail = failure.what();
    spdlog::error("services: cannot start {}: {}", e.config.name, st.detail);
    save(self);
    fail_started(self, e, st.detail);
    return;
  }
  st.pid = e.process.pid;
  st.exit_code = -1;
  st.signal = 0;
  st.oom_killed = false;
  st.started_unix_ms = now_unix_ms();
  st.exited_unix_ms = 0;
  st.detail = e.process.limit_note;
  if (!e.process.limit_note.empty() && e.process.cgroup.empty())
    spdlog::warn("services: {}: {}", e.config.name, e.process.limit_note);
  spdlog::info("services: started {} (pid {}): {}", e.config.name, st.pid, e.config.command);
  if (!e.config.config_files.empty()) {
    auto problem = self->state.configs->record_launch(e.config.name, e.config.config_files);
    if (!problem.empty())
      spdlog::error("services: cannot copy the config of {}: {}", e.config.name, problem);
  }
  if (e.config.ready_url.empty()) {
    st.state = "running";
    st.ready = true;
    save(self);
    deliver_started(self, e);
    prove_config(self, e);
    return;
  }
  st.state = "starting";
  st.ready = false;
  save(self);
  check_readiness(self, e);
}

void stop(manager_ptr self, service_entry& e, stop_intent intent) {
  if (e.status.state == "starting")
    fail_started(self, e, intent == stop_intent::not_ready ? e.status.detail
                                                           : "stopped before it was ready");
  cancel_readiness(e);
  e.intent = intent;
  e.status.state = "stopping";
  e.status.ready = false;
  self->state.backend->terminate(e.process);
  auto epoch = ++e.stop_epoch;
  self->delayed_send(self, std::chrono::milliseconds{e.config.stop_timeout_ms},
                     kill_timer_atom::value, e.config.name, static_cast<int32_t>(e.process.pid),
                     epoch);
  spdlog::info("services: stopping {} (pid {}, SIGTERM)", e.config.name, e.status.pid);
  save(self);
}

/// Stops the last live service; quits once none is left.
void shutdown_next(manager_ptr self) {
  auto& services = self->state.services;
  for (auto i = services.rbegin(); i != services.rend(); ++i) {
    if (i->status.state == "stopping")
      return; // its exit continues the shutdown
    if (i->live()) {
      stop(self, *i, stop_intent::requested);
      return;
    }
  }
  // A clean end: the next manager starts afresh (autostart) instead of
  // restoring states.
  std::error_code ec;
  std::filesystem::remove(self->state.state_path, ec);
  spdlog::info("services: all services stopped");
  self->quit(self->state.shutdown_reason);
}

std::string describe_exit(const service_entry& e) {
  auto& st = e.status;
  std::string text;
  if (st.signal != 0)
    text = "killed by " + signal_name(st.signal);
  else if (st.exit_code >= 0)
    text = "exit code " + std::to_string(st.exit_code);
  else
    text = "exit status unknown";
  if (st.oom_killed)
    text += " (OOM kill: over its memory limit of " + std::to_string(e.config.memory_limit_mb)
            + " MB)";
  return text;
}

void on_exit(manager_ptr self, service_entry& e, int32_t exit_code, int32_t sig, bool oom,
             const std::string& detail) {
  auto& st = e.status;
  auto was = st.state;
  cancel_readiness(e);
  st.exit_code = exit_code;
  st.signal = sig;
  st.oom_killed = oom;
  st.exited_unix_ms = now_unix_ms();
  st.ready = false;
  auto how = describe_exit(e);
  if (e.intent == stop_intent::requested) {
    st.state = "stopped";
    st.detail = e.killed_after_timeout ? "stopped on request: SIGKILL after "
                                           + std::to_string(e.config.stop_timeout_ms)
                                           + " ms without exiting on SIGTERM"
                                       : "stopped on request (" + how + ")";
    spdlog::info("services: {} stopped ({})", e.config.name, how);
  } else if (e.intent == stop_intent::not_ready) {
    st.state = "failed";
    spdlog::error("services: {} failed: {}", e.config.name, st.detail);
  } else {
    // An exit before it was ready is a start that failed (a bad config, a
    // missing secret): starting it again the same way would fail again.
    st.state = was == "starting" ? "failed" : sig != 0 ? "killed" : "exited";
    // An unknown status comes with the reason it is unknown.
    st.detail = detail.empty() ? how : exit_code < 0 && sig == 0 ? detail : how + "; " + detail;
    if (was == "starting")
      st.detail = "exited before it was ready: " + st.detail;
    spdlog::error("services: {} (pid {}) {}: {}; not restarting it (recovery is the agents' "
                  "call)",
                  e.config.name, st.pid, st.state, st.detail);
  }
  if (was == "starting")
    fail_started(self, e, "exited before it was ready: " + how);
  auto status = current(self, e);
  for (auto& rp : e.stop_waiters)
    rp.deliver(status);
  e.stop_waiters.clear();
  if (e.restart_pending && !self->state.shutting_down) {
    e.restart_pending = false;
    ++st.restarts;
    spdlog::info("services: restarting {} (restart {})", e.config.name, st.restarts);
    launch(self, e);
  } else {
    save(self);
  }
  if (e.restart_pending) {
    e.restart_pending = false;
    fail_started(self, e, "the service manager is shutting down");
  }
  if (self->state.shutting_down)
    shutdown_next(self);
}

/// Restores the saved services: adopts the ones still running, keeps the
/// last state of the others, and queues the autostart ones never seen.
void restore(manager_ptr self) {
  auto& st = self->state;
  std::string problem;
  auto saved = read_state_file(st.state_path, problem);
  if (!problem.empty())
    spdlog::error("services: ignoring the state file: {}", problem);
  for (auto& e : st.services) {
    auto i = saved.find(e.config.name);
    if (i == saved.end()) {
      if (e.config.autostart)
        st.autostart.push_back(e.config.name);
      continue;
    }
    auto log_path = e.status.log_path;
    e.status = i->second.status;
    e.status.name = e.config.name;
    e.status.log_path = log_path;
    e.process = i->second.process;
    if (!e.live())
      continue;
    if (st.backend->adopt(e.process, exit_reporter(self, e.config.name))) {
      spdlog::info("services: adopted {} (pid {}), still running from an earlier manager",
                   e.config.name, e.process.pid);
      if (e.status.state == "stopping") {
        // A stop was under way: finish it.
        e.status.state = "running";
        stop(self, e, stop_intent::requested);
      } else if (e.status.state == "starting") {
        check_readiness(self, e);
      }
      continue;
    }
    e.status.state = e.status.state == "stopping" ? "stopped" : "exited";
    e.status.exit_code = -1;
    e.status.signal = 0;
    e.status.ready = false;
    e.status.exited_unix_ms = now_unix_ms();
    e.status.detail = "ended while no service manager watched it (exit status unknown)";
    spdlog::warn("services: {} (pid {}) {}", e.config.name, e.process.pid, e.status.detail);
  }
}

caf::behavior service_manager(manager_ptr self, services_config cfg,
                              std::shared_ptr<std::unique_ptr<service_backend>> backend) {
  auto& st = self->state;
  st.backend = std::move(*backend);
  st.state_path = (std::filesystem::path{cfg.log_dir} / "services.json").string();
  st.configs = std::make_unique<config_history>(
    (std::filesystem::path{cfg.log_dir} / "config-history").string());
  std::error_code ec;
  std::filesystem::create_directories(cfg.log_dir, ec);
  if (ec)
    spdlog::error("services: cannot create the log folder {}: {}", cfg.log_dir, ec.message());
  for (auto& svc : cfg.services) {
    service_entry e;
    e.config = svc;
    e.status.name = svc.name;
    e.status.state = "stopped";
    e.status.log_path = (std::filesystem::path{cfg.log_dir} / (svc.name + ".log")).string();
    st.services.push_back(std::move(e));
  }
  st.config = std::move(cfg);
  restore(self);
  save(self);
  self->send(self, next_atom::value);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.reason || msg.reason == caf::exit_reason::normal || self->state.shutting_down)
      return;
    spdlog::info("services: shutting down, stopping services in reverse order");
    self->state.shutting_down = true;
    self->state.shutdown_reason = msg.reason;
    self->state.autostart.clear();
    shutdown_next(self);
  });
  auto refuse_if_shutting_down = [self]() -> caf::error {
    if (self->state.shutting_down)
      return service_failure(service_error::backend_error, "the service manager is shutting down");
    return {};
  };
  return {
    [self](svc_list_atom) {
      std::vector<service_status> result;
      for (auto& e : self->state.services)
        result.push_back(current(self, e));
      return result;
    },
    [self](svc_status_atom, const std::string& name) -> caf::result<service_status> {
      auto e = self->state.find(name);
      if (!e)
        return service_failure(service_error::unknown_service, name);
      return current(self, *e);
    },
    [self, refuse_if_shutting_down](svc_start_atom,
                                    const std::string& name) -> caf::result<service_status> {
      auto e = self->state.find(name);
      if (!e)
        return service_failure(service_error::unknown_service, name);
      if (auto err = refuse_if_shutting_down())
        return err;
      if (e->status.state == "running")
        return service_failure(service_error::already_running, name + " (pid "
                                                            + std::to_string(e->status.pid) + ")");
      if (e->status.state == "stopping")
        return service_failure(service_error::already_running, name + " is still stopping");
      auto rp = self->make_response_promise();
      e->start_waiters.push_back(rp);
      if (e->status.state != "starting")
        launch(self, *e);
      return rp;
    },
    [self](svc_stop_atom, const std::string& name) -> caf::result<service_status> {
      auto e = self->state.find(name);
      if (!e)
        return service_failure(service_error::unknown_service, name);
      if (!e->live())
        return service_failure(service_error::not_running, name + " is " + e->status.state);
      auto rp = self->make_response_promise();
      e->stop_waiters.push_back(rp);
      if (e->status.state != "stopping")
        stop(self, *e, stop_intent::requested);
      else
        e->intent = stop_intent::requested; // a stop request outranks a failed readiness
      return rp;
    },
    [self, refuse_if_shutting_down](svc_restart_atom,
                                    const std::string& name) -> caf::result<service_status> {
      auto e = self->state.find(name);
      if (!e)
        return service_failure(service_error::unknown_service, name);
      if (auto err = refuse_if_shutting_down())
        return err;
      auto rp = self->make_response_promise();
      if (e->live()) {
        if (e->status.state != "stopping")
          stop(self, *e, stop_intent::requested);
        e->start_waiters.push_back(rp);
        e->restart_pending = true;
        return rp;
      }
      e->start_waiters.push_back(rp);
      ++e->status.restarts;
      spdlog::info("services: restarting {} (restart {}; it was {})", name, e->status.restarts,
                   e->status.state);
      launch(self, *e);
      return rp;
    },
    [self](svc_restore_config_atom, const std::string& name) -> caf::result<std::string> {
      auto e = self->state.find(name);
      if (!e)
        return service_failure(service_error::unknown_service, name);
      try {
        auto done = self->state.configs->restore(name, e->config.config_files);
        spdlog::warn("services: {}: {}", name, done);
        return done;
      } catch (const std::exception& x) {
        return service_failure(service_error::no_good_config, x.what());
      }
    },
    // -- private --------------------------------------------------------------
    [self](healthy_atom, const std::string& name, int32_t pid) {
      auto e = self->state.find(name);
      if (!e || e->status.pid != pid || e->status.state != "running")
        return;
      e->health = nullptr;
      self->delayed_send(self, std::chrono::milliseconds{self->state.config.config_good_after_ms},
                         config_good_atom::value, name, pid);
    },
    [self](config_good_atom, const std::string& name, int32_t pid) {
      auto e = self->state.find(name);
      if (!e || e->status.pid != pid || e->status.state != "running")
        return; // it ended or restarted meanwhile: not proven
      auto problem = self->state.configs->promote(name);
      if (problem.empty())
        spdlog::info("services: the config {} (pid {}) started with is its last known good one",
                     name, pid);
      else
        spdlog::error("services: {}", problem);
    },
    [self](exited_atom, const std::string& name, int32_t pid, int32_t exit_code, int32_t sig,
           bool oom, const std::string& detail) {
      auto e = self->state.find(name);
      if (!e || e->status.pid != pid || !e->live())
        return; // an older process of this service
      on_exit(self, *e, exit_code, sig, oom, detail);
    },
    [self](ready_atom, const std::string& name, int32_t pid, bool ready,
           const std::string& detail) {
      auto e = self->state.find(name);
      if (!e || e->status.pid != pid || e->status.state != "starting")
        return;
      e->readiness = nullptr;
      if (ready) {
        e->status.state = "running";
        e->status.ready = true;
        spdlog::info("services: {} is ready ({})", name, e->config.ready_url);
        save(self);
        deliver_started(self, *e);
        prove_config(self, *e);
        return;
      }
      e->status.detail = detail;
      spdlog::error("services: {} {}; stopping it", name, detail);
      stop(self, *e, stop_intent::not_ready);
    },
    [self](kill_timer_atom, const std::string& name, int32_t pid, uint64_t epoch) {
      auto e = self->state.find(name);
      if (!e || e->status.pid != pid || e->status.state != "stopping" || e->stop_epoch != epoch)
        return;
      spdlog::warn("services: {} (pid {}) did not exit within {} ms of SIGTERM: SIGKILL", name,
                   pid, e->config.stop_timeout_ms);
      e->killed_after_timeout = true;
      self->state.backend->kill(e->process);
    },
    [self](next_atom) {
      auto& st = self->state;
      while (!st.autostart.empty() && !st.shutting_down) {
        auto e = st.find(st.autostart.front());
        st.autostart.pop_front();
        if (!e || e->live())
          continue;
        e->next_when_started = true;
        launch(self, *e);
        return; // start_done() sends the next
      }
    },
  };
}

} // namespace

service_manager_actor spawn_service_manager(caf::actor_system& sys, services_config cfg,
                                            std::unique_ptr<service_backend> backend) {
  // spawn() copies its arguments; a unique_ptr travels in a shared box.
  auto box = std::make_shared<std::unique_ptr<service_backend>>(std::move(backend));
  return caf::actor_cast<service_manager_actor>(sys.spawn(service_manager, std::move(cfg), box));
}

service_manager_actor spawn_service_manager(caf::actor_system& sys, services_config cfg) {
  auto backend = make_service_backend(cfg);
  return spawn_service_manager(sys, std::move(cfg), std::move(backend));
}

supervision::child_spec service_manager_child(const std::string& services_path) {
  supervision::child_spec spec;
  spec.id = "services";
  // Room to stop every service in turn, each with its own timeout, and a
  // second to spare; a file that cannot be read now fails at start instead.
  auto timeout = std::chrono::milliseconds{1000};
  try {
    for (auto& svc : load_services_config(services_path).services)
      timeout += std::chrono::milliseconds{svc.stop_timeout_ms} + std::chrono::milliseconds{100};
  } catch (const config_error&) {
    timeout = std::chrono::seconds{30};
  }
  spec.shutdown = supervision::shutdown_policy::after(timeout);
  spec.start = [services_path](caf::local_actor* sup, const std::string&) {
    // The supervisor records a start failure without logging it: say why
    // here, or a bad services file is only "restart_intensity_exceeded".
    try {
      auto cfg = load_services_config(services_path);
      return caf::actor_cast<caf::actor>(
        spawn_service_manager(sup->home_system(), std::move(cfg)));
    } catch (const std::exception& e) {
      spdlog::error("services: cannot start the service manager: {}", e.what());
      throw;
    }
  };
  return spec;
}

} // namespace vigil::services
