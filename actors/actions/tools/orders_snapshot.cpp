#include "actors/actions/tools/orders_snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "actors/actions/tool.hpp"
#include "actors/actions/tools/file_ops.hpp"
#include "messages/unix_time.hpp"

namespace vigil::actions {

namespace fs = std::filesystem;

namespace {

int64_t number_of(const nlohmann::json& j, const char* key) {
  auto i = j.find(key);
  return i != j.end() && i->is_number_integer() ? i->get<int64_t>() : -1;
}

std::vector<fs::path> snapshot_files(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto& item : fs::directory_iterator{dir, ec})
    if (item.is_regular_file() && item.path().extension() == ".jsonl")
      files.push_back(item.path());
  std::sort(files.begin(), files.end()); // names are unix ms: oldest first
  return files;
}

} // namespace

bool parse_order(const nlohmann::json& j, order_row& row) {
  if (!j.is_object())
    return false;
  row.id = number_of(j, j.contains("order_id") ? "order_id" : "id");
  row.quantity = number_of(j, "quantity");
  row.unit_price_cents = number_of(j, "unit_price_cents");
  row.total_cents = number_of(j, "total_cents");
  auto sku = j.find("sku");
  auto created = j.find("created_at");
  if (sku == j.end() || !sku->is_string() || created == j.end() || !created->is_string())
    return false;
  row.sku = sku->get<std::string>();
  row.created_at = created->get<std::string>();
  // The table's own checks, so one bad file cannot abort a whole restore.
  return row.id > 0 && row.quantity > 0 && row.unit_price_cents >= 0 && row.total_cents >= 0
         && !row.sku.empty() && !row.created_at.empty();
}

std::pair<std::string, int64_t> take_orders_snapshot(pqxx::connection& conn, const std::string& dir,
                                                     int keep) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw tool_failure("cannot create " + dir + ": " + ec.message());
  std::string text;
  int64_t rows = 0;
  try {
    pqxx::read_transaction tx{conn};
    for (auto row : tx.exec("SELECT json_build_object('id', id, 'sku', sku, 'quantity', quantity, "
                            "'unit_price_cents', unit_price_cents, 'total_cents', total_cents, "
                            "'created_at', to_char(created_at AT TIME ZONE 'UTC', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))::text FROM orders ORDER BY id")) {
      text += row[0].c_str();
      text += '\n';
      ++rows;
    }
  } catch (const std::exception& e) {
    throw tool_failure(std::string{"snapshot of orders: "} + e.what());
  }
  auto ms = now_unix_ms();
  auto path = dir + "/" + std::to_string(ms) + ".jsonl";
  write_atomically(path, text, 0600);
  // Keep the newest, and the largest: orders only grow, so a snapshot taken
  // after a loss must never push out the last one from before it.
  auto files = snapshot_files(dir);
  fs::path largest;
  uintmax_t largest_size = 0;
  for (auto& f : files)
    if (auto size = fs::file_size(f, ec); !ec && size >= largest_size) {
      largest = f;
      largest_size = size;
    }
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < files.size(); ++i)
    if (files[i] != largest)
      fs::remove(files[i], ec);
  return {path, rows};
}

std::map<int64_t, order_row> snapshot_orders(const std::string& dir) {
  std::map<int64_t, order_row> result;
  for (auto& file : snapshot_files(dir)) {
    std::ifstream in{file};
    std::string line;
    while (std::getline(in, line)) {
      order_row row;
      if (parse_order(nlohmann::json::parse(line, nullptr, false), row))
        result[row.id] = row;
    }
  }
  return result;
}

std::map<int64_t, order_row> receipt_orders(const std::string& receipts_dir, int64_t min_age_s,
                                            int64_t& too_recent, int64_t& unreadable,
                                            std::vector<int64_t>* young_ids) {
  std::map<int64_t, order_row> result;
  auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  fs::directory_iterator it{receipts_dir, ec};
  if (ec)
    throw tool_failure("cannot list receipts in " + receipts_dir + ": " + ec.message());
  for (auto& item : it) {
    if (!item.is_regular_file() || item.path().extension() != ".json")
      continue;
    auto written = fs::last_write_time(item.path(), ec);
    if (ec || now - written < std::chrono::seconds{min_age_s}) {
      ++too_recent;
      auto stem = item.path().stem().string();
      if (young_ids && !stem.empty() && stem.find_first_not_of("0123456789") == std::string::npos
          && stem.size() < 19)
        young_ids->push_back(std::stoll(stem));
      continue;
    }
    order_row row;
    std::ifstream in{item.path()};
    std::stringstream text;
    text << in.rdbuf();
    if (!parse_order(nlohmann::json::parse(text.str(), nullptr, false), row)) {
      ++unreadable;
      continue;
    }
    result[row.id] = row;
  }
  return result;
}

} // namespace vigil::actions
