// data_loss: rows of the orders table are deleted (destructive: needs
// approval). The deleted rows are kept in a table so the kill switch can
// restore them: one statement deletes and keeps, so an order committed
// meanwhile is either deleted and kept, or left alone (a snapshot taken
// before a separate DELETE missed such orders and lost them for good).
#include "chaos/faults/faults.hpp"
#include "messages/unix_time.hpp"

namespace vigil::chaos {

namespace {

class data_loss : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto percent = params["percent"].get<long long>();
    snapshot_ = "chaos_snapshot_orders_" + std::to_string(now_unix_ms());
    ctx_.sql("CREATE TABLE " + snapshot_ + " (LIKE orders)");
    auto deleted = ctx_.sql("WITH gone AS (DELETE FROM orders WHERE random() * 100 < "
                            + std::to_string(percent) + " RETURNING *), kept AS (INSERT INTO "
                            + snapshot_ + " SELECT * FROM gone RETURNING 1) SELECT count(*) FROM kept");
    return "deleted " + deleted + " orders (about " + std::to_string(percent)
           + "%); deleted rows kept in table " + snapshot_;
  }

  std::string revert(bool kill_switch) override {
    if (snapshot_.empty())
      return "nothing to restore";
    if (!kill_switch)
      return "the loss stays (restore it from " + snapshot_ + " or a backup)";
    auto restored = ctx_.sql("WITH back AS (INSERT INTO orders SELECT s.* FROM " + snapshot_
                             + " s WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = s.id)"
                               " RETURNING 1) SELECT count(*) FROM back");
    ctx_.sql("DROP TABLE " + snapshot_);
    auto table = snapshot_;
    snapshot_.clear();
    return "restored " + restored + " orders from " + table;
  }

private:
  std::string snapshot_;
};

} // namespace

fault_ptr make_data_loss(const fault_context& ctx) {
  return std::make_unique<data_loss>(
    make_kind("data_loss", "data_loss", "destructive", "target-db",
              "Deletes a share of the orders (keeping the deleted rows in a table).",
              "Kill switch: restores the deleted rows from the snapshot. Expiry: the loss stays.",
              true, 60, {int_param("percent", 1, 100, 50, "share of orders deleted")},
              {{"restore_snapshot", ""}}),
    ctx);
}

} // namespace vigil::chaos
