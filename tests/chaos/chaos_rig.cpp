#include "tests/chaos/chaos_rig.hpp"

#include <filesystem>

#include <caf/scoped_actor.hpp>

#include "chaos/controller.hpp"
#include "chaos/fault_actor.hpp"
#include "chaos/faults/faults.hpp"
#include "chaos/http_api.hpp"
#include "messages/announce.hpp"
#include "supervision/supervisor.hpp"
#include "tests/support/process.hpp"

namespace vigil::test {

chaos::target_config test_target(const std::string& dir, uint16_t api_port) {
  chaos::target_config t;
  t.sandbox = true;
  t.max_concurrent = 3;
  t.api_listen = "127.0.0.1:" + std::to_string(api_port);
  t.api_token_file = dir + "/chaos-token";
  t.log_file = dir + "/chaos-events.jsonl";
  return t;
}

chaos_rig::chaos_rig(std::shared_ptr<chaos::fault_context> ctx) {
  dir = std::filesystem::path{ctx->target.api_token_file}.parent_path().string();
  write_file(ctx->target.api_token_file, token + "\n");
  base_url = "http://" + ctx->target.api_listen;
  announce_messages(cfg);
  sys = std::make_unique<caf::actor_system>(cfg);
  directory = std::make_shared<supervision::name_directory>();
  supervision::supervisor_spec faults;
  faults.directory = directory;
  std::shared_ptr<const chaos::fault_context> shared = ctx;
  std::vector<std::string> kinds;
  for (auto& f : chaos::make_catalogue(*ctx)) {
    kinds.push_back(f->kind().name);
    faults.children.push_back(chaos::fault_actor_child(f->kind().name, shared));
  }
  supervision::supervisor_spec spec;
  spec.name = "t/chaos";
  spec.directory = directory;
  spec.children = {supervision::supervisor_child("faults", faults),
                   chaos::controller_child(shared, directory, "t/chaos/faults"),
                   chaos::http_api_child(ctx->target.api_listen, ctx->target.api_token_file,
                                         directory, "t/chaos/controller")};
  root = supervision::spawn_supervisor(*sys, spec);
  // The faults supervisor starts its children on its own: the API can be up
  // before every fault actor is (an inject then is "restarting; try again").
  wait_until(
    [this, &kinds] {
      for (auto& k : kinds)
        if (directory->get("t/chaos/faults/" + k) == nullptr)
          return false;
      return directory->get("t/chaos/api") != nullptr;
    },
    std::chrono::seconds(10));
}

chaos_rig::~chaos_rig() {
  caf::scoped_actor self{*sys};
  self->monitor(root);
  self->send_exit(root, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {});
}

http::client_response chaos_rig::call(const std::string& method, const std::string& path,
                                      const std::string& body, const std::string* with_token) {
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
  auto t = with_token != nullptr ? *with_token : token;
  if (!t.empty())
    headers["Authorization"] = "Bearer " + t;
  return http::fetch(method, base_url + path, body, headers, std::chrono::seconds(150));
}

nlohmann::json chaos_rig::json_call(const std::string& method, const std::string& path,
                                    const std::string& body) {
  auto r = call(method, path, body);
  return nlohmann::json::parse(r.body, nullptr, false);
}

} // namespace vigil::test
