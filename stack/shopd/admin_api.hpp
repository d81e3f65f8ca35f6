// shopd's admin API (on `admin_listen` only, Bearer token): cache, upstream
// switch, reload, the OOM drill hook and status.
#pragma once


#include "http/server.hpp"
#include "stack/shopd/http_edge.hpp"
#include "stack/shopd/shop_services.hpp"

namespace vigil::shop {

void install_admin_api(http::server& server, http_edge& edge, shop_services& services);

} // namespace vigil::shop
