// Parsing and validating one knowledge file: a Markdown runbook or stack doc
// with a JSON front matter between "---" lines (docs/RUNBOOKS.md).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "actors/knowledge/knowledge_entry.hpp"

namespace vigil::knowledge {

/// A file that cannot be indexed; the message names the file and the field:
/// "FILE: field 'steps[1].risk': expected low or high, got \"medium\"".
class knowledge_file_error : public std::runtime_error {
public:
  knowledge_file_error(std::string file, std::string field, const std::string& problem);

  const std::string& file() const noexcept { return file_; }
  const std::string& field() const noexcept { return field_; }

private:
  std::string file_;
  std::string field_;
};

/// The action plane's tools a runbook step may name (a typo is an error).
const std::vector<std::string>& known_tools();

/// Parses the text of the file at `path`. With a front matter it is a
/// runbook (or a doc when "kind" is "doc"), validated field by field; without
/// one it is a doc whose id is the file's stem and whose title is its first
/// "# " heading. Throws knowledge_file_error.
knowledge_entry parse_knowledge_file(const std::string& text, const std::string& path);

/// The text of the Markdown section whose "## " heading starts with
/// `heading` (case-insensitive), up to the next heading of that level or
/// higher; empty when there is none.
std::string markdown_section(const std::string& body, const std::string& heading);

} // namespace vigil::knowledge
