// The prices pricingd serves, read from the demo catalog (stack/catalog.json).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace vigil::pricing {

class catalog_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// SKU and list price in cents, in catalog order.
using price_list = std::vector<std::pair<std::string, int64_t>>;

/// Reads {"products": [{"sku","price_cents",...}, ...]} (or a bare array);
/// throws catalog_error naming the file and the bad entry.
price_list load_prices(const std::string& path);

} // namespace vigil::pricing
