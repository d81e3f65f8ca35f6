#include "actors/knowledge/library.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "actors/knowledge/runbook.hpp"

namespace vigil::knowledge {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> markdown_files(const std::string& folder) {
  std::vector<fs::path> files;
  if (!fs::is_directory(folder))
    throw std::runtime_error(folder + ": not a readable folder");
  for (auto& item : fs::recursive_directory_iterator{folder})
    if (item.is_regular_file() && item.path().extension() == ".md")
      files.push_back(item.path());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

library load_library(const std::vector<std::string>& folders) {
  library result;
  std::map<std::string, std::string> file_of_id;
  for (auto& folder : folders) {
    std::vector<fs::path> files;
    try {
      files = markdown_files(folder);
    } catch (const std::exception& e) {
      result.errors.push_back(e.what());
      result.unreadable.push_back(folder);
      continue;
    }
    for (auto& file : files) {
      auto path = file.lexically_normal().string();
      try {
        std::ifstream in{file};
        std::stringstream text;
        text << in.rdbuf();
        if (!in)
          throw knowledge_file_error(path, "file", "cannot read it");
        auto entry = parse_knowledge_file(text.str(), path);
        auto [it, fresh] = file_of_id.emplace(entry.id, path);
        if (!fresh)
          throw knowledge_file_error(path, "id", "\"" + entry.id + "\" is already used by "
                                                   + it->second);
        result.entries.push_back(std::move(entry));
      } catch (const std::exception& e) {
        result.errors.push_back(e.what());
        result.unreadable.push_back(path);
      }
    }
  }
  return result;
}

} // namespace vigil::knowledge
