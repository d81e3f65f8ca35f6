// Follows a growing log file like `tail -F`: new complete lines since the
// last read, across rotation (a new file at the path) and truncation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::probes::detail {

class log_tail {
public:
  /// Starts at the file's current end: old lines are history, not news.
  explicit log_tail(std::string path);
  ~log_tail();

  log_tail(const log_tail&) = delete;
  log_tail& operator=(const log_tail&) = delete;

  /// Lines completed since the last call (at most `max_bytes` read per call,
  /// so a flood cannot stall the probe). Never throws; a missing file reads
  /// as no lines (`problem` then says why).
  std::vector<std::string> read_new(size_t max_bytes = 4 << 20);

  const std::string& problem() const noexcept { return problem_; }

  /// How often the file was seen rotated or truncated.
  uint64_t reopened() const noexcept { return reopened_; }

private:
  bool open_current(bool from_end);
  void drain(std::vector<std::string>& lines, size_t& budget);
  /// Truncated and written again past the old end shows only in the bytes
  /// before the offset: they are no longer what was read there.
  bool rewritten();
  void remember_tail();

  std::string path_;
  int fd_ = -1;
  uint64_t inode_ = 0;
  uint64_t offset_ = 0;
  std::string partial_;
  std::string tail_bytes_; ///< The last bytes before offset_, as read.
  std::string problem_;
  uint64_t reopened_ = 0;
};

} // namespace vigil::probes::detail
