#include "actors/actions/tools/known_good_config.hpp"

#include <chrono>
#include <filesystem>

#include "actors/actions/tool.hpp"
#include "actors/actions/tools/file_ops.hpp"

namespace vigil::actions {

namespace fs = std::filesystem;

known_good_config::known_good_config(actions_config cfg, stack_service service)
  : cfg_(std::move(cfg)), service_(std::move(service)) {
  // nop
}

std::string known_good_config::path() const {
  return cfg_.state_dir + "/known-good/" + service_.name + ".config";
}

std::optional<std::string> known_good_config::load() const {
  if (cfg_.state_dir.empty() || !file_exists(path()))
    return std::nullopt;
  return read_text(path());
}

void known_good_config::save(const std::string& text) const {
  if (cfg_.state_dir.empty())
    throw tool_failure("no state_dir in the actions file: nowhere to keep known good configs");
  std::error_code ec;
  fs::create_directories(cfg_.state_dir + "/known-good", ec);
  write_atomically(path(), text, 0600);
}

bool known_good_config::app_works(std::string* why) const {
  try {
    auto r = admin_request(cfg_, "GET", service_.public_url, "/readyz", "");
    if (!r.body.is_object())
      throw tool_failure("readyz answered " + std::to_string(r.status) + " without JSON");
    for (auto part : {"db", "upstream"}) {
      auto& check = r.body[part];
      if (!check.is_object() || !check.value("ok", false)) {
        if (why != nullptr)
          *why = std::string{part} + ": "
                 + (check.is_object() && check["error"].is_string() ? check["error"].get<std::string>()
                                                                     : std::string{"not ok"});
        return false;
      }
    }
    return true;
  } catch (const std::exception& e) {
    if (why != nullptr)
      *why = e.what();
    return false;
  }
}

bool known_good_config::record_if_good(int stable_for_s) const {
  if (service_.config_file.empty() || cfg_.state_dir.empty())
    return false;
  std::error_code ec;
  auto changed = fs::last_write_time(service_.config_file, ec);
  if (ec || fs::file_time_type::clock::now() - changed < std::chrono::seconds{stable_for_s})
    return false;
  auto text = read_text(service_.config_file);
  if (load() == text || !app_works())
    return false;
  // The check took time: the file must still be the one that was checked.
  if (read_text(service_.config_file) != text)
    return false;
  save(text);
  return true;
}

} // namespace vigil::actions
