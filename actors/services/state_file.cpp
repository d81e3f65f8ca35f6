// services.json: one object per service, written whole after each change.
#include "actors/services/state_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace vigil::services {

namespace {

using json = nlohmann::json;

json to_json(const saved_service& s) {
  auto& st = s.status;
  return json{{"state", st.state},
              {"pid", s.process.pid},
              {"start_ticks", s.process.start_ticks},
              {"cgroup", s.process.cgroup},
              {"oom_kills_before", s.process.oom_kills_before},
              {"limit_note", s.process.limit_note},
              {"exit_code", st.exit_code},
              {"signal", st.signal},
              {"oom_killed", st.oom_killed},
              {"restarts", st.restarts},
              {"started_unix_ms", st.started_unix_ms},
              {"exited_unix_ms", st.exited_unix_ms},
              {"ready", st.ready},
              {"detail", st.detail}};
}

saved_service from_json(const std::string& name, const json& j) {
  saved_service s;
  auto& st = s.status;
  st.name = name;
  st.state = j.at("state").get<std::string>();
  s.process.pid = j.at("pid").get<pid_t>();
  s.process.start_ticks = j.at("start_ticks").get<uint64_t>();
  s.process.cgroup = j.at("cgroup").get<std::string>();
  s.process.oom_kills_before = j.at("oom_kills_before").get<uint64_t>();
  s.process.limit_note = j.at("limit_note").get<std::string>();
  st.pid = s.process.pid;
  st.exit_code = j.at("exit_code").get<int32_t>();
  st.signal = j.at("signal").get<int32_t>();
  st.oom_killed = j.at("oom_killed").get<bool>();
  st.restarts = j.at("restarts").get<uint32_t>();
  st.started_unix_ms = j.at("started_unix_ms").get<int64_t>();
  st.exited_unix_ms = j.at("exited_unix_ms").get<int64_t>();
  st.ready = j.at("ready").get<bool>();
  st.detail = j.at("detail").get<std::string>();
  return s;
}

} // namespace

std::map<std::string, saved_service> read_state_file(const std::string& path,
                                                     std::string& problem) {
  std::map<std::string, saved_service> result;
  std::ifstream in{path};
  if (!in)
    return result;
  try {
    std::stringstream buf;
    buf << in.rdbuf();
    auto doc = json::parse(buf.str());
    for (auto& [name, entry] : doc.at("services").items())
      result.emplace(name, from_json(name, entry));
  } catch (const std::exception& e) {
    problem = path + ": " + e.what();
    result.clear();
  }
  return result;
}

std::string write_state_file(const std::string& path,
                             const std::map<std::string, saved_service>& services) {
  json doc{{"services", json::object()}};
  for (auto& [name, s] : services)
    doc["services"][name] = to_json(s);
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << doc.dump(2) << '\n';
    if (!out)
      return "cannot write " + tmp;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return "cannot rename " + tmp + ": " + ec.message();
  return {};
}

} // namespace vigil::services
