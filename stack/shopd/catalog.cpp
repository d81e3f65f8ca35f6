#include "stack/shopd/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

namespace vigil::shop {

bool valid_sku(const std::string& sku) {
  return !sku.empty() && sku.size() <= 64
         && std::all_of(sku.begin(), sku.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_'
                     || c == '-';
            });
}

std::vector<product> load_catalog(const std::string& path) {
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
  std::vector<product> result;
  std::set<std::string> seen;
  for (size_t n = 0; n < items->size(); ++n) {
    auto& item = (*items)[n];
    auto where = path + ": products[" + std::to_string(n) + "]";
    if (!item.is_object())
      throw catalog_error(where + ": expected an object");
    product p;
    auto sku = item.find("sku");
    if (sku == item.end() || !sku->is_string() || !valid_sku(sku->get<std::string>()))
      throw catalog_error(where + ".sku: expected 1-64 letters, digits, '.', '_' or '-'");
    p.sku = sku->get<std::string>();
    auto name = item.find("name");
    if (name == item.end() || !name->is_string() || name->get<std::string>().empty())
      throw catalog_error(where + ".name: expected a non-empty string");
    p.name = name->get<std::string>();
    auto price = item.find("price_cents");
    if (price == item.end() || !price->is_number_integer() || price->get<int64_t>() < 0
        || price->get<int64_t>() > 2147483647)
      throw catalog_error(where + ".price_cents: expected a non-negative integer");
    p.price_cents = price->get<int64_t>();
    if (!seen.insert(p.sku).second)
      throw catalog_error(where + ".sku: '" + p.sku + "' appears twice");
    result.push_back(std::move(p));
  }
  return result;
}

} // namespace vigil::shop
