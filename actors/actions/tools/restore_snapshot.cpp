// restore_snapshot: re-inserts rows of orders that vanished (chaos
// `data_loss`, a DELETE by hand), from shopd's receipts (each acknowledged
// order's full row, fsynced before its commit) and from the snapshots this
// tool keeps in state_dir. Only missing ids are inserted, never a duplicate;
// every run ends with a fresh snapshot of the table, and a background thread
// takes one every snapshot_every_s while the table is readable.
// Settings: {"cluster_dir", "port", "databases", "receipts_dir",
//            "min_receipt_age_s", "keep_snapshots", "snapshot_every_s"}.
#include "actors/actions/tools/tools.hpp"

#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/actions/tools/orders_snapshot.hpp"
#include "actors/actions/tools/periodic_task.hpp"
#include "actors/actions/tools/target_db.hpp"
#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

constexpr const char* insert_sql = R"(
INSERT INTO orders (id, sku, quantity, unit_price_cents, total_cents, created_at)
SELECT $1, $2, $3, $4, $5, $6::timestamptz
WHERE EXISTS (SELECT 1 FROM products WHERE sku = $2)
ON CONFLICT (id) DO NOTHING)";

class restore_snapshot : public tool {
public:
  explicit restore_snapshot(const actions_config& cfg)
    : db_(target_db::of(cfg, "restore_snapshot")), state_dir_(cfg.state_dir) {
    auto& s = cfg.settings("restore_snapshot");
    if (auto i = s.find("receipts_dir"); i != s.end() && i->is_string())
      receipts_dir_ = cfg.resolve(i->get<std::string>());
    if (auto i = s.find("min_receipt_age_s"); i != s.end() && i->is_number_unsigned())
      min_receipt_age_s_ = i->get<int64_t>();
    if (auto i = s.find("keep_snapshots"); i != s.end() && i->is_number_unsigned())
      keep_snapshots_ = std::max(1, i->get<int>());
    int every = 0;
    if (auto i = s.find("snapshot_every_s"); i != s.end() && i->is_number_unsigned())
      every = i->get<int>();
    if (every > 0 && !state_dir_.empty() && !db_.databases.empty())
      snapshotter_ = std::make_unique<periodic_task>(std::chrono::seconds{every},
                                                     [this] { snapshot_all(); });
  }

  tool_info info() const override {
    return {"restore_snapshot", "high",
            "Re-inserts the rows of a table whose ids are missing, from shopd's receipts and the "
            "plane's snapshots; existing rows are left alone.",
            "table: orders; from: any (default), receipts or snapshot"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"table", "from"}};
    return {{"table", a.choice("table", {"orders"}, "")},
            {"from", a.choice("from", {"any", "receipts", "snapshot"}, "any")}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    // The app's database: the first configured one (the policy's target is the table).
    if (db_.databases.empty())
      throw tool_failure("setting tools.restore_snapshot.databases is empty");
    auto database = db_.databases.front();
    auto from = args.at("from").get<std::string>();
    if (state_dir_.empty())
      throw tool_failure("no state_dir in the actions file: snapshots have nowhere to live");
    auto snapshots_dir = this->snapshots_dir(database);
    auto conn = db_.superuser(database);
    auto done = restore_pass(*conn, from, snapshots_dir);
    // A receipt younger than min_receipt_age_s may belong to an order whose
    // commit is still in flight, so it waits; orders deleted right after
    // they were acknowledged are in exactly those. Once they are old enough
    // a second pass looks at them again.
    if (done.young_missing > 0) {
      std::this_thread::sleep_for(std::chrono::seconds(min_receipt_age_s_));
      auto again = restore_pass(*conn, "receipts", snapshots_dir);
      done.add(again);
      done.too_recent = again.too_recent;
      done.young_missing = again.young_missing;
    }
    auto& [candidates, missing, restored_receipts, restored_snapshot, skipped, too_recent,
           unreadable, young_missing, restored_ids] = done;
    auto [snapshot, rows] = take_orders_snapshot(*conn, snapshots_dir, keep_snapshots_);

    tool_outcome out;
    auto restored = restored_receipts + restored_snapshot;
    out.output = {{"database", database}, {"table", "orders"}, {"from", from},
                  {"candidates", candidates}, {"missing", missing},
                  {"restored", restored}, {"restored_from_receipts", restored_receipts},
                  {"restored_from_snapshot", restored_snapshot}, {"skipped", skipped},
                  {"receipts_too_recent", too_recent}, {"receipts_unreadable", unreadable},
                  {"snapshot_after", snapshot}, {"rows_after", rows}, {"changed", restored > 0}};
    if (restored_ids.size() <= 100)
      out.output["restored_ids"] = restored_ids;
    auto tail = "; orders has " + std::to_string(rows) + " rows, snapshot taken";
    if (missing == 0) {
      out.detail = "no order of the " + std::to_string(candidates)
                   + " known from " + (from == "any" ? "receipts and snapshots" : from)
                   + " is missing; nothing changed" + tail;
    } else {
      out.detail = "re-inserted " + std::to_string(restored) + " missing orders ("
                   + std::to_string(restored_receipts) + " from receipts, "
                   + std::to_string(restored_snapshot) + " from snapshots)"
                   + (skipped > 0 ? ", skipped " + std::to_string(skipped) : std::string{}) + tail;
      if (skipped > 0)
        out.status = "failed";
    }
    return out;
  }

private:
  struct pass_result {
    size_t candidates = 0;
    int64_t missing = 0, restored_receipts = 0, restored_snapshot = 0, skipped = 0;
    int64_t too_recent = 0, unreadable = 0;
    int64_t young_missing = 0; ///< Receipts too recent to use whose orders are missing.
    std::vector<int64_t> restored_ids;

    void add(const pass_result& other) {
      candidates = std::max(candidates, other.candidates);
      missing += other.missing;
      restored_receipts += other.restored_receipts;
      restored_snapshot += other.restored_snapshot;
      skipped += other.skipped;
      unreadable = std::max(unreadable, other.unreadable);
      restored_ids.insert(restored_ids.end(), other.restored_ids.begin(), other.restored_ids.end());
    }
  };

  /// One look at the candidates (receipts first: they are complete and
  /// written before the commit, so they cover orders newer than any
  /// snapshot) and one transaction re-inserting those that are missing.
  pass_result restore_pass(pqxx::connection& conn, const std::string& from,
                           const std::string& snapshots_dir) const {
    pass_result r;
    std::vector<int64_t> young;
    std::map<int64_t, order_row> candidates;
    std::map<int64_t, std::string> source_of;
    if (from != "snapshot") {
      if (receipts_dir_.empty())
        throw tool_failure("setting tools.restore_snapshot.receipts_dir is missing in the actions file");
      for (auto& [id, row] : receipt_orders(receipts_dir_, min_receipt_age_s_, r.too_recent,
                                            r.unreadable, &young)) {
        candidates[id] = row;
        source_of[id] = "receipts";
      }
    }
    if (from != "receipts")
      for (auto& [id, row] : snapshot_orders(snapshots_dir))
        if (candidates.emplace(id, row).second)
          source_of[id] = "snapshot";
    r.candidates = candidates.size();
    try {
      pqxx::work tx{conn};
      std::set<int64_t> present;
      for (auto row : tx.exec("SELECT id FROM orders"))
        present.insert(row[0].as<int64_t>());
      for (auto id : young)
        r.young_missing += present.count(id) == 0;
      for (auto& [id, row] : candidates) {
        if (present.count(id) > 0)
          continue;
        ++r.missing;
        auto res = tx.exec_params(insert_sql, row.id, row.sku, row.quantity, row.unit_price_cents,
                                  row.total_cents, row.created_at);
        if (res.affected_rows() == 0) {
          ++r.skipped; // its product is gone, or someone inserted it meanwhile
          continue;
        }
        r.restored_ids.push_back(id);
        ++(source_of[id] == "receipts" ? r.restored_receipts : r.restored_snapshot);
      }
      // New orders must not collide with restored ids.
      if (!r.restored_ids.empty())
        tx.exec("SELECT setval(seq, top) FROM (SELECT pg_get_serial_sequence('orders', 'id')::regclass "
                "AS seq, (SELECT max(id) FROM orders) AS top) x "
                "WHERE top > coalesce(pg_sequence_last_value(seq), 0)");
      tx.commit();
    } catch (const std::exception& e) {
      throw tool_failure(std::string{"restoring orders (nothing changed by this pass): "} + e.what());
    }
    return r;
  }

  std::string snapshots_dir(const std::string& database) const {
    return state_dir_ + "/snapshots/" + database + ".orders";
  }

  void snapshot_all() {
    for (auto& database : db_.databases) {
      try {
        auto conn = db_.superuser(database);
        take_orders_snapshot(*conn, snapshots_dir(database), keep_snapshots_);
      } catch (const std::exception& e) {
        // The DB may be the thing that is broken; the next period tries again.
        spdlog::debug("restore_snapshot: no snapshot of {}.orders now: {}", database, e.what());
      }
    }
  }

  target_db db_;
  std::string state_dir_;
  std::string receipts_dir_;
  int64_t min_receipt_age_s_ = 10;
  int keep_snapshots_ = 5;
  std::unique_ptr<periodic_task> snapshotter_; ///< Last: stops before the members it uses.
};

} // namespace

tool_ptr make_restore_snapshot(const actions_config& cfg) {
  return std::make_unique<restore_snapshot>(cfg);
}

} // namespace vigil::actions
