// Files the tools change: read whole, and replace atomically (a reader sees
// the old or the new content, never a mix; a crash leaves one of the two).
#pragma once

#include <string>

#include <sys/types.h>

namespace vigil::actions {

/// The whole file; throws tool_failure when it cannot be read.
std::string read_text(const std::string& path);

/// Whether `path` is a readable regular file.
bool file_exists(const std::string& path);

/// Writes `text` to a temp file next to `path` with `mode`, fsyncs it,
/// renames it over `path` and fsyncs the folder; throws tool_failure.
void write_atomically(const std::string& path, const std::string& text, mode_t mode);

} // namespace vigil::actions
