// start_db: starts the target cluster (stack/postgres/pgcluster start, which
// waits until it accepts connections), the fix for a stopped database
// (chaos `db_down`, or pg_ctl stop by hand).
// Settings: {"pgcluster", "cluster_dir", "port", "start_timeout_s"}.
#include "actors/actions/tools/tools.hpp"

#include <array>
#include <cstdio>

#include <sys/wait.h>

#include "actors/actions/tools/target_db.hpp"
#include "actors/actions/tools/tool_args.hpp"
#include "actors/actions/tools/wait_for.hpp"

namespace vigil::actions {

namespace {

std::string shell_quoted(const std::string& s) {
  std::string result = "'";
  for (char c : s)
    result += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return result + "'";
}

/// Runs a command, returns its exit status and its output (both streams).
int run_command(const std::string& command, std::string& output) {
  auto* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    throw tool_failure("cannot run " + command);
  std::array<char, 512> buf{};
  while (auto n = std::fread(buf.data(), 1, buf.size(), pipe))
    output.append(buf.data(), n);
  auto status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

class start_db : public tool {
public:
  explicit start_db(const actions_config& cfg) : db_(target_db::of(cfg, "start_db")) {
    auto& s = cfg.settings("start_db");
    if (auto i = s.find("start_timeout_s"); i != s.end() && i->is_number_unsigned())
      start_timeout_s_ = i->get<int>();
  }

  tool_info info() const override {
    return {"start_db", "low",
            "Starts the stopped target database cluster and waits until it accepts connections.",
            "none"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args{args, {}};
    return nlohmann::json::object();
  }

  tool_outcome run(const nlohmann::json&, tool_env&) override {
    tool_outcome out;
    out.output = {{"cluster_dir", db_.cluster_dir}, {"port", db_.port}};
    std::string why;
    if (db_.accepts_connections(&why)) {
      out.output["changed"] = false;
      out.detail = "the target DB already accepts connections; nothing changed";
      return out;
    }
    if (db_.pgcluster.empty())
      throw tool_failure("setting tools.start_db.pgcluster is missing in the actions file");
    std::string output;
    auto code = run_command(shell_quoted(db_.pgcluster) + " start " + shell_quoted(db_.cluster_dir)
                              + " " + std::to_string(db_.port),
                            output);
    out.output["changed"] = true;
    // pgcluster waits for the server itself; this proves it from our side.
    bool up = wait_for([&] { return db_.accepts_connections(&why); },
                       std::chrono::seconds{code == 0 ? start_timeout_s_ : 2}, std::chrono::milliseconds{500});
    if (!up) {
      out.status = "failed";
      out.detail = "pgcluster start exited " + std::to_string(code) + " and the DB does not accept "
                   "connections: " + why + "; pgcluster said: " + output.substr(0, 500);
      return out;
    }
    out.detail = "started the target DB (" + db_.cluster_dir + ", port " + std::to_string(db_.port)
                 + "); it accepts connections";
    return out;
  }

private:
  target_db db_;
  int start_timeout_s_ = 60;
};

} // namespace

tool_ptr make_start_db(const actions_config& cfg) {
  return std::make_unique<start_db>(cfg);
}

} // namespace vigil::actions
