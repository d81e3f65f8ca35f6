// Snapshots of the orders table in the action node's state_dir, and the
// rows they and shopd's receipts hold: the sources restore_snapshot re-inserts
// missing orders from. A snapshot is one JSON line per row, in
// <state_dir>/snapshots/<database>.orders/<unix ms>.jsonl.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace vigil::actions {

/// One row of orders, as its receipt or a snapshot holds it.
struct order_row {
  int64_t id = 0;
  std::string sku;
  int64_t quantity = 0;
  int64_t unit_price_cents = 0;
  int64_t total_cents = 0;
  std::string created_at; ///< ISO 8601, UTC.
};

/// Parses a receipt or snapshot line; false when it is not a valid order.
bool parse_order(const nlohmann::json& j, order_row& row);

/// Writes every row of orders into a new snapshot file under `dir` and keeps
/// only the newest `keep` files and the largest one; returns the file's path
/// and the row count.
std::pair<std::string, int64_t> take_orders_snapshot(pqxx::connection& conn, const std::string& dir,
                                                     int keep);

/// Every row of every snapshot under `dir`, by id (newest file wins).
std::map<int64_t, order_row> snapshot_orders(const std::string& dir);

/// Every receipt in `receipts_dir` last written at least `min_age_s` ago (a
/// younger one may belong to an order whose transaction is still open);
/// `too_recent` counts the others, and `young_ids` (when given) gets their
/// ids, from the file names ("<id>.json").
std::map<int64_t, order_row> receipt_orders(const std::string& receipts_dir, int64_t min_age_s,
                                            int64_t& too_recent, int64_t& unreadable,
                                            std::vector<int64_t>* young_ids = nullptr);

} // namespace vigil::actions
