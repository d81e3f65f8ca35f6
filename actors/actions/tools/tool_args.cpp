#include "actors/actions/tools/tool_args.hpp"

#include <algorithm>
#include <cctype>

#include "actors/actions/tool.hpp"

namespace vigil::actions {

namespace {

std::string joined(const std::set<std::string>& names) {
  std::string result;
  for (auto& n : names)
    result += (result.empty() ? "" : ", ") + n;
  return result.empty() ? "none" : result;
}

} // namespace

tool_args::tool_args(const nlohmann::json& args, std::set<std::string> known) : args_(args) {
  if (!args.is_object())
    throw bad_args("arguments: expected a JSON object");
  for (auto& [name, value] : args.items())
    if (known.count(name) == 0)
      throw bad_args("argument '" + name + "': unknown (known: " + joined(known) + ")");
}

const nlohmann::json* tool_args::find(const std::string& name) const {
  auto i = args_.find(name);
  return i == args_.end() || i->is_null() ? nullptr : &*i;
}

std::string tool_args::text(const std::string& name, const std::string& fallback) const {
  auto v = find(name);
  if (v == nullptr && fallback.empty())
    throw bad_args("argument '" + name + "': required");
  if (v == nullptr)
    return fallback;
  if (!v->is_string() || v->get<std::string>().empty() || v->get<std::string>().size() > 256)
    throw bad_args("argument '" + name + "': expected a string of 1 to 256 characters");
  return v->get<std::string>();
}

std::string tool_args::choice(const std::string& name, const std::vector<std::string>& choices,
                              const std::string& fallback) const {
  auto value = text(name, fallback);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    std::string list;
    for (auto& c : choices)
      list += (list.empty() ? "" : ", ") + c;
    throw bad_args("argument '" + name + "': '" + value + "' is not one of: " + list);
  }
  return value;
}

int64_t tool_args::integer(const std::string& name, int64_t min, int64_t max,
                           int64_t fallback) const {
  auto v = find(name);
  if (v == nullptr)
    return fallback;
  int64_t value = 0;
  auto range = std::to_string(min) + ".." + std::to_string(max);
  auto digits = v->is_string() ? v->get<std::string>() : std::string{};
  if (v->is_number_integer()) {
    value = v->get<int64_t>();
  } else if (!digits.empty() && digits.size() <= 18
             && std::all_of(digits.begin(), digits.end(),
                            [](unsigned char c) { return std::isdigit(c) != 0; })) {
    value = std::stoll(digits);
  } else {
    throw bad_args("argument '" + name + "': expected a whole number in " + range);
  }
  if (value < min || value > max)
    throw bad_args("argument '" + name + "': " + std::to_string(value) + " is not in " + range);
  return value;
}

bool tool_args::flag(const std::string& name, bool fallback) const {
  auto v = find(name);
  if (v == nullptr)
    return fallback;
  if (!v->is_boolean())
    throw bad_args("argument '" + name + "': expected true or false");
  return v->get<bool>();
}

std::vector<std::string> tool_args::texts(const std::string& name,
                                          const std::vector<std::string>& fallback) const {
  auto v = find(name);
  if (v == nullptr)
    return fallback;
  if (!v->is_array() || v->size() > 64)
    throw bad_args("argument '" + name + "': expected a list of at most 64 strings");
  std::vector<std::string> result;
  for (auto& item : *v) {
    if (!item.is_string() || item.get<std::string>().empty()
        || item.get<std::string>().size() > 256)
      throw bad_args("argument '" + name + "': every item must be a string of 1 to 256 characters");
    result.push_back(item.get<std::string>());
  }
  return result;
}

bool is_plain_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.')
    return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
  });
}

} // namespace vigil::actions
