#include "config/json_fields.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/node_config.hpp"

namespace vigil::config_fields {

nlohmann::json parse_object(const std::string& text, const std::string& origin) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    throw config_error(origin + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object())
    throw config_error(origin + ": expected a JSON object at the top");
  return doc;
}

std::string read_config_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw config_error(path + ": cannot read the file");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void fail(const std::string& origin, const std::string& field, const std::string& problem) {
  throw config_error(origin + ": field '" + field + "': " + problem);
}

std::string get_string(const nlohmann::json& j, const std::string& origin,
                       const std::string& field) {
  if (!j.is_string())
    fail(origin, field, "expected a string, got " + j.dump());
  return j.get<std::string>();
}

std::string get_path(const nlohmann::json& j, const std::string& origin,
                     const std::string& field, const std::string& base_dir) {
  std::filesystem::path path{get_string(j, origin, field)};
  if (path.empty())
    fail(origin, field, "must not be empty");
  if (path.is_relative())
    path = std::filesystem::path{base_dir} / path;
  return path.lexically_normal().string();
}

bool is_name(const std::string& name) {
  return !name.empty() && name.size() <= 64
         && std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'
                     || c == '.';
            });
}

std::string folder_of(const std::string& path) {
  return std::filesystem::absolute(std::filesystem::path{path}).parent_path().string();
}

uint64_t get_uint(const nlohmann::json& j, const std::string& origin, const std::string& field,
                  uint64_t min, uint64_t max) {
  auto range = "expected an integer in " + std::to_string(min) + ".." + std::to_string(max)
               + ", got " + j.dump();
  if (!j.is_number_integer() || (!j.is_number_unsigned() && j.get<int64_t>() < 0))
    fail(origin, field, range);
  auto value = j.get<uint64_t>();
  if (value < min || value > max)
    fail(origin, field, range);
  return value;
}

} // namespace vigil::config_fields
