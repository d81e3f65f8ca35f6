// bad_config: the shop's config file is replaced with a broken one (valid
// JSON, wrong values) and the shop reloads it. Revert puts the old file back.
#include <fstream>
#include <sstream>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw fault_error("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void write_all(const std::string& path, const std::string& text) {
  auto tmp = path + ".chaos-tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << text;
    if (!out)
      throw fault_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw fault_error("cannot replace " + path);
}

class bad_config : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto& shop = ctx_.target.shopd;
    auto what = params["what"].get<std::string>();
    snapshot_ = read_all(shop.config_file);
    auto cfg = nlohmann::json::parse(snapshot_, nullptr, false, true);
    if (cfg.is_discarded() || !cfg.is_object())
      throw fault_error(shop.config_file + " is not a JSON object");
    if (what == "db_port")
      cfg["db"]["port"] = 1; // nothing listens there
    else
      cfg["upstream"]["primary"] = cfg["upstream"]["fallback"] = "http://127.0.0.1:1";
    write_all(shop.config_file, cfg.dump(2));
    try {
      ctx_.admin_call("POST", shop.admin_url + "/admin/reload", shop.admin_token_file);
    } catch (const fault_error& e) {
      write_all(shop.config_file, snapshot_);
      snapshot_.clear();
      throw fault_error(std::string{"shopd refused the broken config: "} + e.what());
    }
    return "replaced " + shop.config_file + " (" + what + " broken) and reloaded shopd";
  }

  std::string revert(bool) override {
    if (snapshot_.empty())
      return "nothing to restore";
    auto& shop = ctx_.target.shopd;
    write_all(shop.config_file, snapshot_);
    snapshot_.clear();
    std::string reload = "reloaded";
    try {
      ctx_.admin_call("POST", shop.admin_url + "/admin/reload", shop.admin_token_file);
    } catch (const fault_error& e) {
      reload = std::string{"reload failed: "} + e.what();
    }
    return "restored " + shop.config_file + " (" + reload + ")";
  }

private:
  std::string snapshot_;
};

} // namespace

fault_ptr make_bad_config(const fault_context& ctx) {
  return std::make_unique<bad_config>(
    make_kind("bad_config", "bad_config", "safe", "shopd",
              "Replaces the shop's config with a broken one and makes the shop reload it.",
              "Restores the previous file and reloads.", false, 60,
              {choice_param("what", {"db_port", "upstream"}, "db_port", "what the config breaks")},
              {{"rollback_config", "shopd"},
               {"restart_service", "shopd"},
               {"start_service", "shopd"}}),
    ctx);
}

} // namespace vigil::chaos
