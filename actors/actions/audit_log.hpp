// The action plane's durable memory in the ops store: the audit log (a row
// before and after every run, one per refusal) and the first result of each
// idempotency key. Blocking (libpqxx); only the plane's own thread calls it.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/connection>

#include "messages/actions.hpp"

namespace vigil::actions {

/// The ops store cannot be reached or written; the message says why.
class store_unavailable : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class audit_log {
public:
  /// Connects lazily, running the ops store's migrations on each new connection.
  explicit audit_log(std::string dsn);
  ~audit_log();

  /// The stored result of `key`, if it ran to the end before.
  std::optional<action_result> find_result(const std::string& key);

  /// Audit rows; each throws store_unavailable.
  void before(const action_request& req, const std::string& detail = "");
  /// The result and its "after" row, in one transaction.
  void after(const action_request& req, const action_result& result);
  /// An "after" row without a result (the run ended without an outcome to keep).
  void after_without_result(const action_request& req, const std::string& status,
                            const std::string& detail);
  void refused(const action_request& req, const std::string& code, const std::string& detail);
  /// A "stopped" row: the node was stopped cleanly, its services with it.
  void stopped(const std::string& node, const std::string& detail);

  /// Of one incident ("" = all), the newest `limit` rows, oldest first.
  std::vector<audit_record> records(const std::string& incident, uint32_t limit);

  /// Requests whose last audit row is a "before" and that have no result:
  /// the node stopped while they ran (reconciliation runs them again).
  std::vector<action_request> interrupted();

  /// Runs started (a "before" row) since `since_unix_ms` and after the newest
  /// "stopped" row, oldest first with their start time: the policy's rate and
  /// restart windows survive a crash, not an operator's clean stop.
  std::vector<std::pair<action_request, int64_t>> runs_since(int64_t since_unix_ms);

private:
  pqxx::connection& connection();
  template <class F>
  auto with_connection(F f) -> decltype(f(std::declval<pqxx::connection&>()));

  std::string dsn_;
  std::unique_ptr<pqxx::connection> conn_;
};

} // namespace vigil::actions
