// Catalog loading for pricingd; shopd reads the same file for its products.
#include "stack/pricingd/price_catalog.hpp"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

namespace vigil::pricing {

price_list load_prices(const std::string& path) {
  using json = nlohmann::json;
  std::ifstream in{path};
  if (!in)
    throw catalog_error(path + ": cannot read the catalog");
  json j;
  try {
    j = json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw catalog_error(path + ": not valid JSON: " + e.what());
  }
  const json* items = &j;
  if (j.is_object()) {
    auto i = j.find("products");
    if (i == j.end())
      throw catalog_error(path + ": field 'products' missing");
    items = &*i;
  }
  if (!items->is_array())
    throw catalog_error(path + ": field 'products': expected an array");
  price_list prices;
  std::set<std::string> seen;
  for (size_t n = 0; n < items->size(); ++n) {
    auto& item = (*items)[n];
    auto where = path + ": products[" + std::to_string(n) + "]";
    if (!item.is_object())
      throw catalog_error(where + ": expected an object");
    auto sku = item.find("sku");
    if (sku == item.end() || !sku->is_string() || sku->get<std::string>().empty())
      throw catalog_error(where + ".sku: expected a non-empty string");
    auto price = item.find("price_cents");
    if (price == item.end() || !price->is_number_integer() || price->get<int64_t>() < 0)
      throw catalog_error(where + ".price_cents: expected a non-negative integer");
    if (!seen.insert(sku->get<std::string>()).second)
      throw catalog_error(where + ".sku: '" + sku->get<std::string>() + "' appears twice");
    prices.emplace_back(sku->get<std::string>(), price->get<int64_t>());
  }
  return prices;
}

} // namespace vigil::pricing
