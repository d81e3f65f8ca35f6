#include "stack/shopd/readiness.hpp"

#include <cerrno>
#include <cstring>
#include <future>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <pqxx/pqxx>

namespace vigil::shop {

namespace {

using json = nlohmann::json;

json check_db(connection_pool& pool) {
  // A first failure may only be a connection that died with a restarted
  // server; the pool then drops it, and the second try connects afresh.
  std::string error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      pool.with_connection([](pqxx::connection& db) {
        pqxx::nontransaction tx{db};
        tx.exec("SELECT 1");
      });
      return json{{"ok", true}, {"error", nullptr}};
    } catch (const db_error& e) {
      error = e.what();
    }
  }
  return json{{"ok", false}, {"error", error}};
}

json check_disk(const std::string& receipts_dir) {
  struct statvfs fs {};
  if (::statvfs(receipts_dir.c_str(), &fs) != 0)
    return json{{"ok", false},
                {"error", "statvfs " + receipts_dir + ": " + std::strerror(errno)},
                {"free_bytes", nullptr}};
  auto free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  json result{{"ok", true}, {"error", nullptr}, {"free_bytes", free_bytes}};
  if (free_bytes < min_free_disk_bytes) {
    result["ok"] = false;
    result["error"] = "only " + std::to_string(free_bytes) + " bytes free in " + receipts_dir;
    return result;
  }
  // Free space is not enough: the folder may be read-only or quota-bound.
  auto probe = receipts_dir + "/.readyz-probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, "ok", 2) != 2) {
    result["ok"] = false;
    result["error"] = "cannot write in " + receipts_dir + ": " + std::strerror(errno);
  }
  if (fd >= 0)
    ::close(fd);
  ::unlink(probe.c_str());
  return result;
}

json check_upstream(upstream_client& upstream) {
  json result{{"use", upstream.in_use()}, {"url", upstream.url()}};
  try {
    upstream.fetch_all();
    result["ok"] = true;
    result["error"] = nullptr;
  } catch (const std::exception& e) {
    result["ok"] = false;
    result["error"] = e.what();
  }
  return result;
}

} // namespace

readiness_report check_readiness(connection_pool& pool, upstream_client& upstream,
                                 const std::string& receipts_dir) {
  auto upstream_check = std::async(std::launch::async, [&] { return check_upstream(upstream); });
  readiness_report report;
  report.body["db"] = check_db(pool);
  report.body["disk"] = check_disk(receipts_dir);
  report.body["upstream"] = upstream_check.get();
  report.ready = report.body["db"]["ok"].get<bool>() && report.body["disk"]["ok"].get<bool>()
                 && report.body["upstream"]["ok"].get<bool>();
  report.body["ready"] = report.ready;
  return report;
}

} // namespace vigil::shop
