// The prices pricingd serves, read from the demo catalog (stack/catalog.json)
// with the same reader shopd uses for its products.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil::pricing {

/// SKU and list price in cents, in catalog order.
using price_list = std::vector<std::pair<std::string, int64_t>>;

/// Reads the catalog; throws vigil::shop::catalog_error naming the file and
/// the bad entry.
price_list load_prices(const std::string& path);

} // namespace vigil::pricing
