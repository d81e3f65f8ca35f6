#include "actors/knowledge/runbook.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/service_model.hpp"

namespace vigil::knowledge {

namespace {

using json = nlohmann::json;

/// Where in which file a value sits, for errors.
struct place {
  const std::string& file;
  std::string field;

  place at(const std::string& key) const {
    return {file, field.empty() ? key : field + "." + key};
  }
  place at(size_t index) const { return {file, field + "[" + std::to_string(index) + "]"}; }

  [[noreturn]] void fail(const std::string& problem) const {
    throw knowledge_file_error(file, field, problem);
  }
};

bool is_id(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::isalnum(static_cast<unsigned char>(s[0]))
         && std::all_of(s.begin(), s.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
}

bool is_snake_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && s[0] >= 'a' && s[0] <= 'z'
         && std::all_of(s.begin(), s.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// Rejects keys outside `known`, naming the first one.
void only_keys(const json& obj, const place& where, const std::set<std::string>& known) {
  for (auto& [key, value] : obj.items()) {
    (void) value;
    if (known.count(key) == 0) {
      std::string list;
      for (auto& k : known)
        list += (list.empty() ? "" : ", ") + k;
      where.at(key).fail("unknown field (known here: " + list + ")");
    }
  }
}

const json& required(const json& obj, const std::string& key, const place& where) {
  auto it = obj.find(key);
  if (it == obj.end())
    where.at(key).fail("missing");
  return *it;
}

std::string text_of(const json& value, const place& where, size_t max_size = 4000) {
  if (!value.is_string())
    where.fail("expected a string, got " + value.dump());
  auto text = trim(value.get<std::string>());
  if (text.empty())
    where.fail("must not be empty");
  if (text.size() > max_size)
    where.fail("longer than " + std::to_string(max_size) + " characters");
  return text;
}

std::vector<std::string> texts_of(const json& value, const place& where) {
  if (!value.is_array() || value.empty())
    where.fail("expected a non-empty list of strings, got " + value.dump());
  std::vector<std::string> result;
  for (size_t i = 0; i < value.size(); ++i)
    result.push_back(text_of(value[i], where.at(i)));
  return result;
}

const json& object_of(const json& value, const place& where) {
  if (!value.is_object())
    where.fail("expected an object, got " + value.dump());
  return value;
}

/// A signal and one comparison: {"signal": S, "is"|"is_not"|"contains": TEXT},
/// {"signal": S, "above"|"below": NUMBER} or {"signal": S, "in": [TEXT, ...]}.
/// `extra` are the other keys the caller allows (weight, within_s).
void check_condition(const json& obj, const place& where, std::set<std::string> extra) {
  static const std::vector<std::string> comparisons{"is", "is_not", "contains", "above", "below",
                                                    "in"};
  object_of(obj, where);
  std::set<std::string> known{"signal"};
  known.insert(comparisons.begin(), comparisons.end());
  known.insert(extra.begin(), extra.end());
  only_keys(obj, where, known);
  auto signal = text_of(required(obj, "signal", where), where.at("signal"), 200);
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  if (std::any_of(signal.begin(), signal.end(), is_space))
    where.at("signal").fail("a signal name has no spaces, got \"" + signal + "\"");
  std::string found;
  for (auto& op : comparisons) {
    if (!obj.contains(op))
      continue;
    if (!found.empty())
      where.at(op).fail("has both '" + found + "' and '" + op + "'; give one comparison");
    found = op;
    auto& value = obj[op];
    if (op == "above" || op == "below") {
      if (!value.is_number())
        where.at(op).fail("expected a number, got " + value.dump());
    } else if (op == "in") {
      if (!value.is_array() || value.empty())
        where.at(op).fail("expected a non-empty list of values, got " + value.dump());
      for (size_t i = 0; i < value.size(); ++i)
        text_of(value[i], where.at(op).at(i), 200);
    } else {
      text_of(value, where.at(op), 200);
    }
  }
  if (found.empty())
    where.fail("needs one comparison: is, is_not, contains, above, below or in");
}

std::string tool_of(const json& obj, const place& where) {
  auto tool = text_of(required(obj, "tool", where), where.at("tool"), 64);
  auto& tools = known_tools();
  if (std::find(tools.begin(), tools.end(), tool) == tools.end())
    where.at("tool").fail("unknown tool \"" + tool + "\" (see docs/RUNBOOKS.md for the list)");
  return tool;
}

void check_args(const json& obj, const place& where) {
  if (obj.contains("args"))
    object_of(obj["args"], where.at("args"));
}

std::string spaced(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

/// Checks one step; returns its searchable text.
std::string check_step(const json& step, const place& where) {
  object_of(step, where);
  only_keys(step, where, {"tool", "args", "risk", "check", "rollback", "why"});
  auto tool = tool_of(step, where);
  check_args(step, where);
  auto risk = required(step, "risk", where);
  if (risk != "low" && risk != "high")
    where.at("risk").fail("expected \"low\" or \"high\", got " + risk.dump());
  check_condition(required(step, "check", where), where.at("check"), {"within_s"});
  auto& check = step["check"];
  if (check.contains("in"))
    where.at("check").at("in").fail("a step's check compares one value (is, is_not, contains, "
                                    "above, below)");
  if (check.contains("within_s")) {
    auto& w = check["within_s"];
    if (!w.is_number_integer() || w.get<int64_t>() < 1 || w.get<int64_t>() > 3600)
      where.at("check").at("within_s").fail("expected whole seconds in 1..3600, got " + w.dump());
  }
  auto rollback_place = where.at("rollback");
  auto& rollback = object_of(required(step, "rollback", where), rollback_place);
  std::string text = spaced(tool);
  if (rollback.contains("none")) {
    only_keys(rollback, rollback_place, {"none"});
    text += " " + text_of(rollback["none"], rollback_place.at("none"));
  } else if (rollback.contains("tool")) {
    only_keys(rollback, rollback_place, {"tool", "args"});
    text += " " + spaced(tool_of(rollback, rollback_place));
    check_args(rollback, rollback_place);
  } else {
    rollback_place.fail("expected {\"tool\": ..., \"args\": {...}} "
                        "or {\"none\": \"why not needed\"}");
  }
  if (step.contains("why"))
    text += " " + text_of(step["why"], where.at("why"));
  return text;
}

/// Splits "---\n{json}\n---\nbody"; false when the text has no front matter.
bool split_front_matter(const std::string& text, const std::string& file, std::string& front,
                        std::string& body) {
  std::istringstream in{text};
  std::string line;
  if (!std::getline(in, line) || trim(line) != "---")
    return false;
  std::string collected;
  while (std::getline(in, line)) {
    if (trim(line) == "---") {
      front = collected;
      std::stringstream rest;
      rest << in.rdbuf();
      body = rest.str();
      return true;
    }
    collected += line + "\n";
  }
  throw knowledge_file_error(file, "front matter", "no closing '---' line");
}

std::string first_heading(const std::string& body) {
  std::istringstream in{body};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("# ", 0) == 0)
      return trim(line.substr(2));
  return "";
}

} // namespace

knowledge_file_error::knowledge_file_error(std::string file, std::string field,
                                           const std::string& problem)
  : std::runtime_error(file + ": field '" + field + "': " + problem),
    file_(std::move(file)),
    field_(std::move(field)) {
  // nop
}

const std::vector<std::string>& known_tools() {
  // The action plane's tools as docs/ARCHITECTURE.md plans them, plus the
  // ones these runbooks need; kept here so a misspelt tool fails the load.
  static const std::vector<std::string> tools{
    "start_service",  "restart_service",  "stop_service",   "start_db",
    "rotate_db_secret", "clear_cache",    "switch_upstream", "terminate_blocking_sessions",
    "terminate_idle_sessions", "rerun_migrations", "restore_snapshot", "rollback_config",
    "free_disk",      "kill_process",     "reset_db_proxy", "restart_actor",
    "start_node"};
  return tools;
}

std::string markdown_section(const std::string& body, const std::string& heading) {
  std::istringstream in{body};
  std::string line, result;
  bool inside = false, fenced = false;
  auto wanted = lower(heading);
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0)
      fenced = !fenced;
    bool is_heading = !fenced && (line.rfind("# ", 0) == 0 || line.rfind("## ", 0) == 0);
    if (is_heading) {
      if (inside)
        break;
      inside = line.rfind("## ", 0) == 0 && lower(trim(line.substr(3))).rfind(wanted, 0) == 0;
      continue;
    }
    if (inside)
      result += line + "\n";
  }
  return trim(result);
}

knowledge_entry parse_knowledge_file(const std::string& text, const std::string& path) {
  knowledge_entry entry;
  entry.path = path;
  std::string front;
  if (!split_front_matter(text, path, front, entry.body)) {
    // A plain Markdown file is a doc named after the file.
    entry.kind = "doc";
    entry.body = text;
    entry.id = std::filesystem::path{path}.stem().string();
    if (!is_id(entry.id))
      throw knowledge_file_error(path, "id",
                                 "a file without front matter is named by its stem, which must be "
                                 "lower-case letters, digits and '-', got \"" + entry.id + "\"");
    entry.title = first_heading(text);
    if (entry.title.empty())
      throw knowledge_file_error(path, "title", "no front matter and no '# ' heading");
    return entry;
  }
  json fm;
  try {
    fm = json::parse(front, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw knowledge_file_error(path, "front matter", std::string{"not valid JSON: "} + e.what());
  }
  place top{path, ""};
  if (!fm.is_object())
    place{path, "front matter"}.fail("expected a JSON object, got " + fm.dump());
  entry.kind = "runbook";
  if (fm.contains("kind")) {
    auto kind = fm["kind"];
    if (kind != "runbook" && kind != "doc")
      top.at("kind").fail("expected \"runbook\" or \"doc\", got " + kind.dump());
    entry.kind = kind.get<std::string>();
  }
  if (entry.kind == "doc")
    only_keys(fm, top, {"id", "kind", "title", "services"});
  else
    only_keys(fm, top, {"id", "kind", "title", "root_cause", "services", "applies_to",
                        "symptoms", "requires", "confirm", "rules_out", "steps", "prevention", "escalate"});
  entry.id = text_of(required(fm, "id", top), top.at("id"), 64);
  if (!is_id(entry.id))
    top.at("id").fail("expected lower-case letters, digits and '-', got \"" + entry.id + "\"");
  entry.title = text_of(required(fm, "title", top), top.at("title"), 200);
  if (fm.contains("services"))
    texts_of(fm["services"], top.at("services"));
  if (fm.contains("applies_to")) {
    auto kind = text_of(fm["applies_to"], top.at("applies_to"), 64);
    if (!kind_from_name(kind))
      top.at("applies_to").fail("unknown kind \"" + kind + "\" (a service model's kind: "
                                "http_service, http_upstream, http_proxy, tcp_proxy, postgres, "
                                "cache)");
    if (!fm.contains("services") || fm["services"] != json::array({"$service"}))
      top.at("services").fail("a failure mode of a kind (applies_to) is about [\"$service\"]");
  }
  if (trim(entry.body).empty())
    place{path, "body"}.fail("the Markdown after the front matter is empty");
  entry.meta = fm.dump();
  if (entry.kind == "doc")
    return entry;
  entry.root_cause = text_of(required(fm, "root_cause", top), top.at("root_cause"), 64);
  if (!is_snake_name(entry.root_cause))
    top.at("root_cause").fail("expected a snake_case label, got \"" + entry.root_cause + "\"");
  auto& symptoms = required(fm, "symptoms", top);
  if (!symptoms.is_array() || symptoms.empty())
    top.at("symptoms").fail("expected a non-empty list of {signal, comparison, weight}");
  for (size_t i = 0; i < symptoms.size(); ++i) {
    auto where = top.at("symptoms").at(i);
    check_condition(symptoms[i], where, {"weight"});
    auto& w = required(symptoms[i], "weight", where);
    if (!w.is_number() || w.get<double>() <= 0 || w.get<double>() > 1)
      where.at("weight").fail("expected a number in (0, 1], got " + w.dump());
  }
  for (auto* key : {"requires", "rules_out"}) {
    if (!fm.contains(key))
      continue;
    auto& list = fm[key];
    if (!list.is_array())
      top.at(key).fail("expected a list of {signal, comparison}");
    for (size_t i = 0; i < list.size(); ++i)
      check_condition(list[i], top.at(key).at(i), {});
  }
  // Checks run now, before acting: a condition on a probe's fresh result, of
  // the probe named, or of every probe behind the signal when none is.
  if (fm.contains("confirm")) {
    auto& list = fm["confirm"];
    if (!list.is_array())
      top.at("confirm").fail("expected a list of {[probe], signal, comparison}");
    for (size_t i = 0; i < list.size(); ++i) {
      auto where = top.at("confirm").at(i);
      check_condition(list[i], where, {"probe"});
      if (list[i].contains("probe")) {
        text_of(list[i]["probe"], where.at("probe"), 100);
      } else {
        auto signal = list[i].value("signal", "");
        if (signal.rfind("probe.", 0) != 0
            || std::count(signal.begin(), signal.end(), '.') < 3)
          where.at("signal").fail("without a 'probe', the signal must be a probe's "
                                  "(probe.<target>.<kind>.<field>): its probes are checked");
      }
    }
  }
  // A failure mode with no safe automatic fix has no steps: it escalates.
  auto& steps = required(fm, "steps", top);
  if (!steps.is_array() || (steps.empty() && !fm.contains("escalate")))
    top.at("steps").fail("expected a list of steps (empty only with an 'escalate' text)");
  for (size_t i = 0; i < steps.size(); ++i)
    entry.steps += check_step(steps[i], top.at("steps").at(i)) + "\n";
  for (auto& note : texts_of(required(fm, "prevention", top), top.at("prevention")))
    entry.steps += note + "\n";
  if (fm.contains("escalate"))
    entry.steps += text_of(fm["escalate"], top.at("escalate")) + "\n";
  entry.symptoms = markdown_section(entry.body, "Symptoms");
  if (entry.symptoms.empty())
    place{path, "## Symptoms"}.fail("a runbook needs a '## Symptoms' section saying what an "
                                    "operator sees");
  return entry;
}

} // namespace vigil::knowledge
