// Catalog loading for pricingd: shopd's catalog reader, prices only.
#include "stack/pricingd/price_catalog.hpp"

#include "stack/shopd/catalog.hpp"

namespace vigil::pricing {

price_list load_prices(const std::string& path) {
  price_list prices;
  for (auto& p : shop::load_catalog(path))
    prices.emplace_back(p.sku, p.price_cents);
  return prices;
}

} // namespace vigil::pricing
