// The action role's subtree (tools, plane, API) in this process, with a real
// ops store and a fake service manager that counts what it is asked to do:
// the plane's checks are tested by what did (not) reach the services.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <nlohmann/json.hpp>

#include "actors/actions/action_context.hpp"
#include "messages/actions.hpp"
#include "messages/services.hpp"
#include "messages/supervision.hpp"

namespace vigil::test {

/// What the fake service manager was asked, and its services' state.
struct fake_services {
  std::mutex mtx;
  std::map<std::string, service_status> services;
  std::atomic<int> starts{0};
  std::atomic<int> stops{0};
  std::atomic<int> restarts{0};
  /// How long a restart takes (so two requests overlap).
  std::chrono::milliseconds restart_takes{0};

  int32_t pid_of(const std::string& name);
};

/// One private Postgres for the run; a fresh ops store database per call.
std::string fresh_ops_store();
/// A DSN nobody listens on.
std::string unreachable_ops_store();
/// Runs SQL as superuser in the database of `dsn` (fresh_ops_store's).
std::string ops_sql(const std::string& dsn, const std::string& sql);

class action_rig {
public:
  struct options {
    std::string dsn;
    uint16_t api_port = 0;           ///< 0: no REST API.
    std::string api_token = "test-token-0123456789abcdef";
    uint32_t api_rate_per_s = 1;
    uint32_t api_burst = 5;
    uint32_t max_restarts = 3;
    std::chrono::milliseconds restart_takes{0};
  };

  explicit action_rig(options opts);
  ~action_rig();

  caf::actor_system& system() { return *sys_; }
  fake_services& services() { return *fake_; }
  action_plane_actor plane();
  /// A named actor of the subtree, e.g. "test-1/action/tools/restart_service".
  caf::actor named(const std::string& path) { return ctx_.directory->get(path); }

  /// One request through the plane; the error code (none on success).
  action_error act(const action_request& req, action_result* result = nullptr);
  std::vector<audit_record> audit(const std::string& incident = "", uint32_t limit = 100);

  const options& opts() const { return opts_; }

private:
  options opts_;
  std::string dir_;
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::shared_ptr<fake_services> fake_;
  actions::action_context ctx_;
  supervisor_actor root_;
};

/// A request with the given tool, args and key (requested by "test").
action_request make_request(const std::string& tool, const nlohmann::json& args,
                            const std::string& key, const std::string& approved_by = "");

} // namespace vigil::test
