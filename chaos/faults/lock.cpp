// lock: a long transaction holds an exclusive lock on the orders table, so
// every order write waits behind it.
#include <memory>

#include <pqxx/pqxx>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

class lock : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto table = params["table"].get<std::string>();
    try {
      conn_ = std::make_unique<pqxx::connection>(ctx_.target.superuser_dsn());
      conn_->set_variable("application_name", "'vigil-chaos-lock'");
      tx_ = std::make_unique<pqxx::work>(*conn_);
      tx_->exec("LOCK TABLE " + tx_->quote_name(table) + " IN ACCESS EXCLUSIVE MODE");
    } catch (const std::exception& e) {
      tx_.reset();
      conn_.reset();
      throw fault_error(std::string{"cannot lock "} + table + ": " + e.what());
    }
    return "holding an ACCESS EXCLUSIVE lock on " + table + " in an open transaction";
  }

  std::string revert(bool) override {
    if (!tx_)
      return "no lock held";
    try {
      tx_->abort();
    } catch (const std::exception&) {
      // The session may be gone already: the lock went with it.
    }
    tx_.reset();
    conn_.reset();
    return "rolled back the locking transaction";
  }

private:
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> tx_;
};

} // namespace

fault_ptr make_lock(const fault_context& ctx) {
  return std::make_unique<lock>(
    make_kind("lock", "db_lock_contention", "safe", "target-db",
              "A long transaction holds an ACCESS EXCLUSIVE lock on a table.",
              "Rolls the transaction back.", false, 60,
              {choice_param("table", {"orders", "products"}, "orders", "table to lock")},
              {{"terminate_blocking_sessions", ""}}),
    ctx);
}

} // namespace vigil::chaos
