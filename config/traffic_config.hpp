// The synthetic traffic's settings: the "traffic" object of the probes file
// (the probes' own loader skips that member; this one reads only it).
#pragma once

#include <cstdint>
#include <string>

namespace vigil {

struct traffic_config {
  bool enabled = false;                           ///< No "traffic" object: off.
  std::string service = "shopd";                  ///< The service its SLIs are about.
  std::string base_url = "http://127.0.0.1:8080"; ///< The public API.
  double rate_per_s = 20;                         ///< Requests per second, all workers.
  double order_ratio = 0.1;                       ///< Share of requests that place an order.
  uint32_t workers = 4;       ///< Concurrent users, so one slow request never stalls the rest.
  uint32_t window_ms = 5000;  ///< Length of one SLI window.
  uint32_t timeout_ms = 2000; ///< Per request; a request past it is a failure.
  /// Every acknowledged order id, one a line (resolved against the probes
  /// file's folder); empty: kept in memory only.
  std::string acked_file;
};

/// Reads the "traffic" member of probes-file text; `origin` names the file
/// in errors and its folder anchors relative paths. Throws config_error
/// naming the file and the field.
traffic_config parse_traffic_config(const std::string& text, const std::string& origin);

/// Reads the probes file at `path` (see parse_traffic_config).
traffic_config load_traffic_config(const std::string& path);

} // namespace vigil
