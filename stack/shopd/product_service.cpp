#include "stack/shopd/product_service.hpp"

#include <map>

#include <pqxx/pqxx>

namespace vigil::shop {

product_service::product_service(connection_pool& pool, price_cache& cache,
                                 upstream_client& upstream)
  : pool_(pool), cache_(cache), upstream_(upstream) {
  // nop
}

std::vector<priced_product> product_service::list() {
  auto products = pool_.with_connection([](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    std::vector<product> result;
    for (auto row : tx.exec("SELECT sku, name, price_cents FROM products ORDER BY sku"))
      result.push_back(
        product{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
    tx.commit();
    return result;
  });
  std::vector<priced_product> result;
  std::vector<size_t> missing;
  for (auto& p : products) {
    auto cached = cache_.find(p.sku);
    if (!cached)
      missing.push_back(result.size());
    result.push_back(priced_product{p, cached.value_or(price{})});
  }
  if (missing.empty())
    return result;
  // One upstream call for all misses rather than one per product.
  auto fetched = upstream_.fetch_all();
  for (auto& [sku, value] : fetched)
    cache_.put(sku, value);
  for (auto index : missing) {
    auto& entry = result[index];
    auto i = fetched.find(entry.item.sku);
    if (i == fetched.end())
      throw upstream_error("upstream " + upstream_.in_use() + " has no price for '"
                           + entry.item.sku + "'");
    entry.current = i->second;
  }
  return result;
}

std::optional<product> product_service::lookup(const std::string& sku) {
  return pool_.with_connection([&](pqxx::connection& db) -> std::optional<product> {
    pqxx::read_transaction tx{db};
    auto rows = tx.exec_params("SELECT sku, name, price_cents FROM products WHERE sku = $1",
                               sku);
    tx.commit();
    if (rows.empty())
      return std::nullopt;
    return product{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                   rows[0][2].as<int64_t>()};
  });
}

std::optional<priced_product> product_service::find(const std::string& sku) {
  auto item = lookup(sku);
  if (!item)
    return std::nullopt;
  return priced_product{*item, quote(sku)};
}

price product_service::quote(const std::string& sku) {
  if (auto cached = cache_.find(sku))
    return *cached;
  auto fresh = upstream_.fetch_price(sku);
  cache_.put(sku, fresh);
  return fresh;
}

} // namespace vigil::shop
