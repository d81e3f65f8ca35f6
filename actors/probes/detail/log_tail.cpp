#include "actors/probes/detail/log_tail.hpp"

#include <cerrno>
#include <algorithm>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::probes::detail {

log_tail::log_tail(std::string path) : path_(std::move(path)) {
  open_current(true);
}

log_tail::~log_tail() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool log_tail::open_current(bool from_end) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    problem_ = "cannot open " + path_ + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  ::fstat(fd, &st);
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = fd;
  inode_ = st.st_ino;
  offset_ = from_end ? static_cast<uint64_t>(st.st_size) : 0;
  partial_.clear();
  problem_.clear();
  remember_tail();
  return true;
}

void log_tail::remember_tail() {
  constexpr uint64_t keep = 64;
  auto n = std::min(keep, offset_);
  tail_bytes_.assign(n, '\0');
  if (n > 0 && ::pread(fd_, tail_bytes_.data(), n, static_cast<off_t>(offset_ - n))
                 != static_cast<ssize_t>(n))
    tail_bytes_.clear();
}

bool log_tail::rewritten() {
  if (tail_bytes_.empty())
    return false;
  std::string now(tail_bytes_.size(), '\0');
  auto n = ::pread(fd_, now.data(), now.size(), static_cast<off_t>(offset_ - now.size()));
  return n != static_cast<ssize_t>(now.size()) || now != tail_bytes_;
}

void log_tail::drain(std::vector<std::string>& lines, size_t& budget) {
  char buf[64 * 1024];
  while (budget > 0) {
    auto want = std::min(sizeof buf, budget);
    auto n = ::pread(fd_, buf, want, static_cast<off_t>(offset_));
    if (n <= 0)
      break;
    offset_ += static_cast<uint64_t>(n);
    budget -= static_cast<size_t>(n);
    size_t start = 0;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] != '\n')
        continue;
      partial_.append(buf + start, static_cast<size_t>(i) - start);
      lines.push_back(std::move(partial_));
      partial_.clear();
      start = static_cast<size_t>(i) + 1;
    }
    partial_.append(buf + start, static_cast<size_t>(n) - start);
  }
}

std::vector<std::string> log_tail::read_new(size_t max_bytes) {
  std::vector<std::string> lines;
  auto budget = max_bytes;
  if (fd_ < 0) {
    // Appeared since: everything in it is new.
    if (open_current(false)) {
      drain(lines, budget);
      remember_tail();
    }
    return lines;
  }
  struct stat open_st {};
  ::fstat(fd_, &open_st);
  if (static_cast<uint64_t>(open_st.st_size) < offset_ || rewritten()) {
    // Truncated in place: start over at the top.
    offset_ = 0;
    partial_.clear();
    ++reopened_;
  }
  drain(lines, budget);
  struct stat path_st {};
  if (::stat(path_.c_str(), &path_st) != 0) {
    problem_ = path_ + " is gone (rotated?): " + std::strerror(errno);
    remember_tail();
    return lines;
  }
  if (path_st.st_ino != inode_) {
    // Rotated: the rest of the old file was read above, now the new one.
    if (!partial_.empty())
      lines.push_back(std::move(partial_));
    ++reopened_;
    if (open_current(false))
      drain(lines, budget);
  }
  remember_tail();
  problem_.clear();
  return lines;
}

} // namespace vigil::probes::detail
