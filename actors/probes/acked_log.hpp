// The order ids the shop acknowledged: the ground truth for "no acknowledged
// write lost". Workers append each id to a file before anything else, so a
// restarted traffic actor (or node) still knows every one.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace vigil::probes {

/// True for what an order id can be: 1-64 letters, digits, '-' or '_'.
bool valid_order_id(const std::string& id);

class acked_log {
public:
  /// `path` empty: the ids live in memory only.
  explicit acked_log(std::string path);

  /// Appends `id` as one line with a single write(2) on an O_APPEND file, so
  /// workers of an old and a new actor never interleave. Creates missing
  /// folders. Throws std::runtime_error saying why.
  static void append(const std::string& path, const std::string& id);

  /// Records an id known from a reply; false when it was known already.
  bool add(const std::string& id);

  /// Takes in the lines appended to the file since the last call (complete
  /// lines only); returns how many ids were new. Lines that are not order
  /// ids are skipped and counted. A missing file is an empty one.
  size_t catch_up();

  const std::vector<std::string>& ids() const { return ids_; }
  uint64_t skipped_lines() const { return skipped_; }
  const std::string& path() const { return path_; }

private:
  std::string path_;
  uint64_t offset_ = 0; ///< Bytes of the file already read.
  uint64_t skipped_ = 0;
  std::vector<std::string> ids_; ///< In the order they were acknowledged.
  std::unordered_set<std::string> known_;
};

} // namespace vigil::probes
