// shopd's public API (on `listen`): health, readiness, metrics, products,
// orders and the static front end.
#pragma once

#include "http/server.hpp"
#include "stack/shopd/http_edge.hpp"
#include "stack/shopd/shop_services.hpp"

namespace vigil::shop {

void install_public_api(http::server& server, http_edge& edge, shop_services& services);

} // namespace vigil::shop
