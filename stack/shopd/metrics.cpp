#include "stack/shopd/metrics.hpp"

#include <fstream>
#include <sstream>

#include <unistd.h>

namespace vigil::shop {

namespace {

std::string format_bound(double bound) {
  std::ostringstream out;
  out << bound;
  return out.str();
}

} // namespace

void metrics::record_request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++requests_[{route, status}];
  auto& h = durations_[route];
  ++h.count;
  h.sum += seconds;
  for (size_t i = 0; i < bucket_bounds.size(); ++i) {
    if (seconds <= bucket_bounds[i]) {
      ++h.buckets[i];
      break;
    }
  }
}

std::string metrics::render(const snapshot_inputs& inputs) const {
  std::ostringstream out;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    out << "# HELP http_requests_total HTTP requests answered, by route and status.\n"
        << "# TYPE http_requests_total counter\n";
    for (auto& [key, count] : requests_)
      out << "http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
          << "\"} " << count << "\n";
    out << "# HELP http_request_duration_seconds Time from request to response.\n"
        << "# TYPE http_request_duration_seconds histogram\n";
    for (auto& [route, h] : durations_) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < bucket_bounds.size(); ++i) {
        cumulative += h.buckets[i];
        out << "http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
            << format_bound(bucket_bounds[i]) << "\"} " << cumulative << "\n";
      }
      out << "http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} "
          << h.count << "\n"
          << "http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n"
          << "http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count
          << "\n";
    }
  }
  auto& pool = inputs.pool;
  out << "# HELP db_pool_connections Database connections by state.\n"
      << "# TYPE db_pool_connections gauge\n"
      << "db_pool_connections{state=\"in_use\"} " << pool.in_use << "\n"
      << "db_pool_connections{state=\"idle\"} " << pool.idle << "\n"
      << "db_pool_connections{state=\"waiting\"} " << pool.waiting << "\n"
      << "# HELP db_pool_size Maximum connections of the pool.\n"
      << "# TYPE db_pool_size gauge\n"
      << "db_pool_size " << pool.size << "\n"
      << "# HELP db_pool_wait_timeouts_total Callers that found no free connection in time.\n"
      << "# TYPE db_pool_wait_timeouts_total counter\n"
      << "db_pool_wait_timeouts_total " << pool.timeouts << "\n"
      << "# HELP price_cache_hits_total Prices served from the cache.\n"
      << "# TYPE price_cache_hits_total counter\n"
      << "price_cache_hits_total " << inputs.cache_hits << "\n"
      << "# HELP price_cache_misses_total Prices not in the cache or expired.\n"
      << "# TYPE price_cache_misses_total counter\n"
      << "price_cache_misses_total " << inputs.cache_misses << "\n"
      << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      << "# TYPE process_resident_memory_bytes gauge\n"
      << "process_resident_memory_bytes " << resident_memory_bytes() << "\n";
  return out.str();
}

uint64_t resident_memory_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages))
    return 0;
  return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

} // namespace vigil::shop
