// The listening side of dbproxy: accepts clients and gives each a
// proxy_connection to the upstream database.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "stack/dbproxy/host_port.hpp"
#include "stack/dbproxy/proxy_context.hpp"

namespace vigil::dbproxy {

class tcp_proxy {
public:
  /// Listens at once; throws std::runtime_error naming `listen` if it cannot.
  tcp_proxy(boost::asio::io_context& ioc, const host_port& listen,
            std::shared_ptr<proxy_context> context);

  uint16_t port() const { return port_; }

private:
  void do_accept();

  std::shared_ptr<proxy_context> context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

} // namespace vigil::dbproxy
