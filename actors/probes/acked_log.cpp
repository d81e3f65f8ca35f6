#include "actors/probes/acked_log.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace vigil::probes {

bool valid_order_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

acked_log::acked_log(std::string path) : path_(std::move(path)) {
  // nop
}

void acked_log::append(const std::string& path, const std::string& id) {
  auto parent = std::filesystem::path{path}.parent_path();
  std::error_code ec;
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  auto line = id + "\n";
  auto written = ::write(fd, line.data(), line.size());
  auto write_errno = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size()))
    throw std::runtime_error("cannot append to " + path + ": "
                             + (written < 0 ? std::strerror(write_errno) : "short write"));
}

bool acked_log::add(const std::string& id) {
  if (!known_.insert(id).second)
    return false;
  ids_.push_back(id);
  return true;
}

size_t acked_log::catch_up() {
  if (path_.empty())
    return 0;
  std::ifstream in{path_, std::ios::binary};
  if (!in)
    return 0;
  in.seekg(0, std::ios::end);
  auto size = static_cast<uint64_t>(in.tellg());
  if (size < offset_)
    offset_ = 0; // replaced by a shorter file: read it again, known ids stay
  if (size == offset_)
    return 0;
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string text(size - offset_, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  // A line still being written ends without '\n': take it next time.
  auto end = text.rfind('\n');
  if (end == std::string::npos)
    return 0;
  offset_ += end + 1;
  size_t added = 0;
  size_t start = 0;
  while (start <= end) {
    auto nl = text.find('\n', start);
    auto line = text.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    if (!valid_order_id(line)) {
      ++skipped_;
      continue;
    }
    if (add(line))
      ++added;
  }
  return added;
}

} // namespace vigil::probes
