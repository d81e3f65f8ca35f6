#include "stack/shopd/order_service.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "stack/shopd/api_error.hpp"

namespace vigil::shop {

namespace {

using json = nlohmann::json;

constexpr const char* iso_created_at
  = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

} // namespace

order_service::order_service(connection_pool& pool, product_service& products,
                             receipt_store& receipts)
  : pool_(pool), products_(products), receipts_(receipts) {
  // nop
}

order_request order_service::parse_request(const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error&) {
    throw api_error(400, "body: expected a JSON object {\"sku\": string, \"quantity\": integer}");
  }
  if (!j.is_object())
    throw api_error(400, "body: expected a JSON object {\"sku\": string, \"quantity\": integer}");
  order_request request;
  auto sku = j.find("sku");
  if (sku == j.end())
    throw api_error(400, "field 'sku': missing");
  if (!sku->is_string() || !valid_sku(sku->get<std::string>()))
    throw api_error(400, "field 'sku': expected 1-64 letters, digits, '.', '_' or '-', got "
                           + sku->dump());
  request.sku = sku->get<std::string>();
  auto quantity = j.find("quantity");
  if (quantity == j.end())
    throw api_error(400, "field 'quantity': missing");
  auto range = "field 'quantity': expected an integer in 1.." + std::to_string(max_quantity)
               + ", got " + quantity->dump();
  if (!quantity->is_number_integer())
    throw api_error(400, range);
  auto value = quantity->get<int64_t>();
  if (value < 1 || value > max_quantity)
    throw api_error(400, range);
  request.quantity = static_cast<int32_t>(value);
  return request;
}

order order_service::place(const order_request& request) {
  auto item = products_.lookup(request.sku);
  if (!item)
    throw api_error(400, "field 'sku': unknown product '" + request.sku + "'");
  // Ask the upstream before taking a connection for the transaction, so a
  // slow upstream does not hold database connections.
  auto unit = products_.quote(request.sku);
  order result;
  result.sku = request.sku;
  result.quantity = request.quantity;
  result.unit_price_cents = unit.cents;
  result.total_cents = unit.cents * request.quantity;
  pool_.with_connection([&](pqxx::connection& db) {
    pqxx::work tx{db};
    auto row = tx.exec_params1("INSERT INTO orders (sku, quantity, unit_price_cents, total_cents) "
                               "VALUES ($1, $2, $3, $4) RETURNING id, "
                                 + std::string{iso_created_at},
                               result.sku, result.quantity, result.unit_price_cents,
                               result.total_cents);
    result.id = row[0].as<int64_t>();
    result.created_at = row[1].as<std::string>();
    json receipt{{"order_id", result.id},
                 {"sku", result.sku},
                 {"name", item->name},
                 {"quantity", result.quantity},
                 {"unit_price_cents", result.unit_price_cents},
                 {"total_cents", result.total_cents},
                 {"price_source", unit.source},
                 {"created_at", result.created_at}};
    // Throws receipt_error; leaving the scope then aborts the transaction.
    receipts_.write(result.id, receipt.dump(2) + "\n");
    try {
      tx.commit();
    } catch (const pqxx::in_doubt_error&) {
      // The order may have committed; its receipt must then stay.
      throw;
    } catch (...) {
      receipts_.remove(result.id);
      throw;
    }
  });
  return result;
}

std::vector<order> order_service::latest(size_t limit) {
  return pool_.with_connection([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    std::vector<order> result;
    auto rows = tx.exec_params("SELECT id, sku, quantity, unit_price_cents, total_cents, "
                                 + std::string{iso_created_at}
                                 + " FROM orders ORDER BY created_at DESC, id DESC LIMIT $1",
                               static_cast<int64_t>(limit));
    for (auto row : rows)
      result.push_back(order{row[0].as<int64_t>(), row[1].as<std::string>(),
                             row[2].as<int32_t>(), row[3].as<int64_t>(),
                             row[4].as<int64_t>(), row[5].as<std::string>()});
    tx.commit();
    return result;
  });
}

} // namespace vigil::shop
