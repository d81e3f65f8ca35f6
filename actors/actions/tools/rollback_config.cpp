// rollback_config: puts a service's last known good config back and reloads
// it, the fix for a bad config reload (chaos `bad_config`, an edit by hand).
// A watcher thread records the live config as known good while it works
// (see known_good_config.hpp); before anything was recorded, the shipped
// baseline file counts as known good.
// Settings: {"watch_every_s": 15, "stable_for_s": 90, "verify_timeout_s": 20,
//            "services": {"shopd": {"config_file", "baseline_file", "admin_url",
//                                   "admin_token", "public_url"}}}.
#include "actors/actions/tools/tools.hpp"

#include <chrono>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "actors/actions/tools/file_ops.hpp"
#include "actors/actions/tools/known_good_config.hpp"
#include "actors/actions/tools/periodic_task.hpp"
#include "actors/actions/tools/tool_args.hpp"
#include "actors/actions/tools/wait_for.hpp"
#include "messages/unix_time.hpp"

namespace vigil::actions {

namespace {

int setting(const nlohmann::json& s, const char* key, int fallback) {
  auto i = s.find(key);
  return i != s.end() && i->is_number_unsigned() ? i->get<int>() : fallback;
}

class rollback_config : public tool {
public:
  explicit rollback_config(const actions_config& cfg)
    : cfg_(cfg), services_(stack_services(cfg, "rollback_config")) {
    auto& s = cfg.settings("rollback_config");
    stable_for_s_ = setting(s, "stable_for_s", 90);
    verify_timeout_s_ = setting(s, "verify_timeout_s", 20);
    auto every = setting(s, "watch_every_s", 15);
    if (every > 0 && !cfg.state_dir.empty() && !services_.empty())
      watcher_ = std::make_unique<periodic_task>(std::chrono::seconds{every}, [this] { watch(); });
  }

  tool_info info() const override {
    return {"rollback_config", "low",
            "Puts a service's last known good config file back and reloads it.",
            "service: default shopd"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"service"}};
    auto service = a.text("service", "shopd");
    auto& svc = pick_service(services_, service);
    if (svc.config_file.empty())
      throw bad_args("argument 'service': no config_file configured for " + service);
    return {{"service", service}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto& svc = pick_service(services_, args.at("service").get<std::string>());
    known_good_config known{cfg_, svc};
    std::string source = "last known good";
    auto good = known.load();
    if (!good && !svc.baseline_file.empty() && file_exists(svc.baseline_file)) {
      good = read_text(svc.baseline_file);
      source = "baseline " + svc.baseline_file;
    }
    if (!good)
      throw tool_failure("no known good config of " + svc.name + " recorded, and no baseline file");
    auto current = read_text(svc.config_file);
    tool_outcome out;
    out.output = {{"service", svc.name}, {"config_file", svc.config_file}, {"source", source}};
    if (current == *good) {
      out.output["changed"] = false;
      out.detail = svc.config_file + " already is the " + source + " config; nothing changed";
      return out;
    }
    // Keep the replaced file for the postmortem.
    auto ms = now_unix_ms();
    std::error_code ec;
    std::filesystem::create_directories(cfg_.state_dir + "/replaced", ec);
    auto replaced = cfg_.state_dir + "/replaced/" + svc.name + "-" + std::to_string(ms) + ".config";
    write_atomically(replaced, current, 0600);
    out.output["replaced_copy"] = replaced;
    struct stat st {};
    auto mode = ::stat(svc.config_file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    write_atomically(svc.config_file, *good, mode);
    out.output["changed"] = true;
    auto reload = admin_request(cfg_, "POST", svc.admin_url, "/admin/reload", svc.admin_token,
                                nlohmann::json::object(), 10000);
    if (reload.status < 200 || reload.status >= 300) {
      // The service kept the config it runs; the file must say the same.
      write_atomically(svc.config_file, current, mode);
      out.output["rolled_back"] = true;
      out.status = "failed";
      out.detail = svc.name + " refused to reload the " + source + " config (HTTP "
                   + std::to_string(reload.status) + " " + reload.text.substr(0, 200)
                   + "); the file was put back as it was";
      return out;
    }
    std::string why;
    bool works = wait_for([&] { return known.app_works(&why); }, std::chrono::seconds{verify_timeout_s_},
                          std::chrono::milliseconds{500});
    out.output["works"] = works;
    if (!works) {
      out.status = "failed";
      out.detail = "put the " + source + " config of " + svc.name + " back and reloaded it, but it "
                   "does not work: " + why;
      return out;
    }
    known.save(*good);
    out.detail = "put the " + source + " config of " + svc.name + " back and reloaded it; "
                 + svc.name + " works (the bad one is kept in " + replaced + ")";
    return out;
  }

private:
  void watch() {
    for (auto& [name, svc] : services_) {
      try {
        if (known_good_config{cfg_, svc}.record_if_good(stable_for_s_))
          spdlog::info("rollback_config: recorded the live config of {} as last known good", name);
      } catch (const std::exception& e) {
        spdlog::warn("rollback_config: cannot record the config of {}: {}", name, e.what());
      }
    }
  }

  actions_config cfg_;
  std::map<std::string, stack_service> services_;
  int stable_for_s_ = 90;
  int verify_timeout_s_ = 20;
  std::unique_ptr<periodic_task> watcher_; ///< Last: stops before the members it uses.
};

} // namespace

tool_ptr make_rollback_config(const actions_config& cfg) {
  return std::make_unique<rollback_config>(cfg);
}

} // namespace vigil::actions
