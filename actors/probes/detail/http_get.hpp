// GET requests with one deadline for the whole exchange, optionally over one
// kept-alive connection: what http, metrics and data probes use. Beast stays
// inside the .cpp file.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace vigil::probes::detail {

struct http_answer {
  bool ok = false;        ///< false: no answer (error says why: refused, timeout...).
  int status = 0;
  std::string body;
  std::string error;
  bool connected_fresh = false;
};

class http_get {
public:
  /// Throws std::invalid_argument for a bad URL.
  http_get(const std::string& url, bool keep_alive);
  ~http_get();

  http_get(const http_get&) = delete;
  http_get& operator=(const http_get&) = delete;

  /// One GET, all of it (connect, write, read) within `timeout`.
  http_answer fetch(std::chrono::milliseconds timeout);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace vigil::probes::detail
