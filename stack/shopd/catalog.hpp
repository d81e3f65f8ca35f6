// The demo catalog file (stack/catalog.json): the products `shopd migrate`
// upserts into the database.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigil::shop {

struct product {
  std::string sku;
  std::string name;
  int64_t price_cents = 0; ///< The list price; orders use the upstream price.
};

class catalog_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Reads {"products": [{"sku","name","price_cents"}, ...]} (a bare array is
/// accepted too); throws catalog_error naming the entry and field.
std::vector<product> load_catalog(const std::string& path);

/// SKUs travel in URL paths: 1-64 letters, digits, '.', '_' or '-'.
bool valid_sku(const std::string& sku);

} // namespace vigil::shop
