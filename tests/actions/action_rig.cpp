#include "tests/actions/action_rig.hpp"

#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actions/action_role.hpp"
#include "config/actions_config.hpp"
#include "supervision/supervisor.hpp"
#include "tests/support/postgres.hpp"
#include "tests/support/process.hpp"

namespace vigil::test {

namespace {

using json = nlohmann::json;

test_postgres& shared_postgres() {
  static test_postgres pg{"shop"};
  return pg;
}

/// A service manager that only keeps books: a restart gives a new pid.
service_manager_actor::behavior_type fake_manager(service_manager_actor::pointer,
                                                  std::shared_ptr<fake_services> fake) {
  auto status = [fake](const std::string& name) -> caf::result<service_status> {
    std::lock_guard<std::mutex> guard{fake->mtx};
    auto i = fake->services.find(name);
    if (i == fake->services.end())
      return caf::make_error(service_error::unknown_service, name);
    return i->second;
  };
  auto change = [fake](const std::string& name, const std::string& state,
                       bool new_pid) -> caf::result<service_status> {
    std::lock_guard<std::mutex> guard{fake->mtx};
    auto i = fake->services.find(name);
    if (i == fake->services.end())
      return caf::make_error(service_error::unknown_service, name);
    auto& s = i->second;
    s.state = state;
    s.ready = state == "running";
    if (new_pid)
      s.pid += 1000;
    return s;
  };
  return {
    [fake](svc_list_atom) {
      std::lock_guard<std::mutex> guard{fake->mtx};
      std::vector<service_status> all;
      for (auto& [name, s] : fake->services)
        all.push_back(s);
      return all;
    },
    [status](svc_status_atom, const std::string& name) { return status(name); },
    [fake, change](svc_start_atom, const std::string& name) {
      ++fake->starts;
      return change(name, "running", true);
    },
    [fake, change](svc_stop_atom, const std::string& name) {
      ++fake->stops;
      return change(name, "stopped", false);
    },
    [fake, change](svc_restart_atom, const std::string& name) {
      // Detached: a slow restart blocks only this fake.
      std::this_thread::sleep_for(fake->restart_takes);
      ++fake->restarts;
      return change(name, "running", true);
    },
    [](svc_restore_config_atom, const std::string& name) -> caf::result<std::string> {
      return caf::make_error(service_error::no_good_config, name + ": a fake keeps no configs");
    },
  };
}

} // namespace

int32_t fake_services::pid_of(const std::string& name) {
  std::lock_guard<std::mutex> guard{mtx};
  return services.at(name).pid;
}

std::string fresh_ops_store() {
  static std::atomic<int> next{0};
  auto& pg = shared_postgres();
  auto name = "actions_" + std::to_string(++next);
  pg.psql("CREATE DATABASE " + name, "postgres");
  return "host=" + pg.dir() + " port=" + std::to_string(pg.port()) + " dbname=" + name
         + " user=postgres connect_timeout=3";
}

std::string unreachable_ops_store() {
  return "host=127.0.0.1 port=" + std::to_string(free_port())
         + " dbname=vigil user=postgres connect_timeout=2";
}

std::string ops_sql(const std::string& dsn, const std::string& sql) {
  auto at = dsn.find("dbname=");
  auto name = dsn.substr(at + 7, dsn.find(' ', at) - at - 7);
  return shared_postgres().psql(sql, name);
}

action_rig::action_rig(options opts) : opts_(std::move(opts)) {
  dir_ = make_temp_dir("vigil-actions");
  write_file(dir_ + "/policy.json", R"({
    "risk": {"low": "auto", "high": "ask"},
    "tools": {
      "start_service":   {"mode": "auto", "targets": ["shopd", "slowd"]},
      "restart_service": {"mode": "auto", "targets": ["shopd", "slowd"]},
      "stop_service":    {"mode": "ask",  "targets": ["shopd"]},
      "kill_process":    {"mode": "ask"}
    },
    "rate_limit": {"max_actions": 30, "window_s": 60},
    "restart_intensity": {"max_restarts": )"
                                      + std::to_string(opts_.max_restarts)
                                      + R"(, "window_s": 300},
    "approval_timeout_s": 300
  })");
  // kill_process's bar is the deployment's: low here, for this test's own children.
  json actions{{"policy", "policy.json"},
               {"tools", {{"kill_process", {{"min_cpu_percent", 5}, {"sample_ms", 1000}}}}}};
  if (opts_.api_port != 0) {
    write_file(dir_ + "/token", opts_.api_token + "\n");
    actions["api"] = {{"listen", "127.0.0.1:" + std::to_string(opts_.api_port)},
                      {"token_file", "token"},
                      {"rate_per_s", opts_.api_rate_per_s},
                      {"burst", opts_.api_burst}};
  }
  write_file(dir_ + "/actions.json", actions.dump(2));
  cfg_ = std::make_unique<caf::actor_system_config>();
  sys_ = std::make_unique<caf::actor_system>(*cfg_);
  fake_ = std::make_shared<fake_services>();
  fake_->restart_takes = opts_.restart_takes;
  for (auto name : {"shopd", "slowd", "postgres"}) {
    service_status s;
    s.name = name;
    s.state = "running";
    s.ready = true;
    s.pid = 4000 + static_cast<int32_t>(fake_->services.size());
    fake_->services[name] = s;
  }
  ctx_.node_id = "test-1";
  ctx_.config = std::make_shared<const actions_config>(load_actions_config(dir_ + "/actions.json"));
  ctx_.ops_dsn = opts_.dsn;
  ctx_.directory = std::make_shared<supervision::name_directory>();
  auto manager = sys_->spawn<caf::detached>(fake_manager, fake_);
  ctx_.directory->put("test-1/action/services", caf::actor_cast<caf::actor>(manager));
  supervision::supervisor_spec spec;
  spec.name = "test-1/action";
  spec.directory = ctx_.directory;
  spec.intensity = 5;
  spec.children = actions::action_children(ctx_);
  root_ = supervision::spawn_supervisor(*sys_, spec);
  wait_until([this] { return plane() != nullptr; }, std::chrono::seconds(10));
}

action_rig::~action_rig() {
  caf::anon_send_exit(root_, caf::exit_reason::user_shutdown);
  // The directory holds strong handles: a detached actor still named
  // there would never be destroyed (and the system would wait for it).
  if (auto manager = ctx_.directory->get("test-1/action/services")) {
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
    ctx_.directory->erase("test-1/action/services", manager);
  }
  root_ = nullptr;
  sys_.reset();
}

action_plane_actor action_rig::plane() {
  return caf::actor_cast<action_plane_actor>(ctx_.directory->get("test-1/action/plane"));
}

action_error action_rig::act(const action_request& req, action_result* result) {
  caf::scoped_actor self{*sys_};
  auto code = action_error::none;
  self->request(plane(), std::chrono::seconds(60), act_atom::value, req)
    .receive(
      [&](action_result& r) {
        if (result != nullptr)
          *result = r;
      },
      [&](caf::error& err) {
        code = err.category() == caf::atom("action") ? static_cast<action_error>(err.code())
                                                     : action_error::busy;
      });
  return code;
}

std::vector<audit_record> action_rig::audit(const std::string& incident, uint32_t limit) {
  caf::scoped_actor self{*sys_};
  std::vector<audit_record> rows;
  self->request(plane(), std::chrono::seconds(30), audit_atom::value, incident, limit)
    .receive([&](std::vector<audit_record>& r) { rows = std::move(r); },
             [&](caf::error&) {});
  return rows;
}

action_request make_request(const std::string& tool, const nlohmann::json& args,
                            const std::string& key, const std::string& approved_by) {
  action_request req;
  req.tool = tool;
  req.args = args.dump();
  req.idempotency_key = key;
  req.requested_by = "test";
  req.approved_by = approved_by;
  return req;
}

} // namespace vigil::test
