// Receipt files, data_dir/receipts/<order id>.json, written and fsynced
// before the order's transaction commits.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vigil::shop {

/// Writing failed. what() is the message for clients ("cannot write receipt:
/// No space left on device"); detail() adds the step and path for the log.
class receipt_error : public std::runtime_error {
public:
  receipt_error(const std::string& message, std::string detail, int error_number)
    : std::runtime_error(message), detail_(std::move(detail)), error_number_(error_number) {
    // nop
  }
  const std::string& detail() const { return detail_; }
  int error_number() const { return error_number_; } ///< errno; ENOSPC when full.

private:
  std::string detail_;
  int error_number_;
};

class receipt_store {
public:
  explicit receipt_store(std::string dir);

  /// Creates the folder when missing; throws receipt_error when it cannot.
  void prepare() const;

  /// Writes `contents` durably (data and the folder entry fsynced). On
  /// failure it removes what it wrote and throws receipt_error with the
  /// reason, e.g. "cannot write receipt: No space left on device".
  void write(int64_t order_id, const std::string& contents) const;

  /// Removes a receipt whose order did not commit; errors are ignored.
  void remove(int64_t order_id) const;

  std::string path_of(int64_t order_id) const;
  const std::string& dir() const { return dir_; }

private:
  std::string dir_;
};

} // namespace vigil::shop
