// shopd's log file: one access line per request and error lines with their
// reasons (DB, receipts, upstream). Reopened on reload, so rotation works.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace vigil::shop {

class shop_log {
public:
  shop_log() = default;
  ~shop_log();
  shop_log(const shop_log&) = delete;
  shop_log& operator=(const shop_log&) = delete;

  /// Appends to `path` from now on ("" means stderr); throws
  /// std::runtime_error when it cannot open it, keeping the old file.
  void open(const std::string& path);

  /// "2024-05-01T12:00:00.123Z access GET /products 200 3.1ms"
  void access(const std::string& method, const std::string& path, int status, double ms);

  /// "2024-05-01T12:00:00.123Z error orders: cannot write receipt: ..."
  void error(const std::string& topic, const std::string& message);

  void info(const std::string& topic, const std::string& message);

private:
  void write_line(const std::string& text);

  std::mutex mtx_;
  std::FILE* file_ = nullptr; // nullptr: stderr
};

} // namespace vigil::shop
