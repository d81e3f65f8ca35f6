#include "actors/agents/placeholders.hpp"

#include <cctype>

namespace vigil::agents {

namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

std::string fill_placeholders(const std::string& text,
                              const std::map<std::string, std::string>& values,
                              std::vector<std::string>* missing) {
  std::string out = text;
  for (size_t pos = out.find('$'); pos != std::string::npos; pos = out.find('$', pos + 1)) {
    auto end = pos + 1;
    while (end < out.size() && name_char(out[end]))
      ++end;
    auto name = out.substr(pos, end - pos);
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) {
      if (missing != nullptr && name.size() > 1)
        missing->push_back(name);
      continue;
    }
    out.replace(pos, end - pos, it->second);
    pos += it->second.size() - 1;
  }
  return out;
}

void fill_placeholders(nlohmann::json& j, const std::map<std::string, std::string>& values,
                       std::vector<std::string>* missing) {
  if (j.is_object() || j.is_array()) {
    for (auto& x : j)
      fill_placeholders(x, values, missing);
    return;
  }
  if (j.is_string())
    j = fill_placeholders(j.get<std::string>(), values, missing);
}

bool has_placeholder(const std::string& text) {
  auto pos = text.find('$');
  return pos != std::string::npos && pos + 1 < text.size() && name_char(text[pos + 1]);
}

} // namespace vigil::agents
