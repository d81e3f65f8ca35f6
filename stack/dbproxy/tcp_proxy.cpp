// Accept loop of dbproxy; see tcp_proxy.hpp.
#include "stack/dbproxy/tcp_proxy.hpp"

#include <stdexcept>

#include "stack/dbproxy/proxy_connection.hpp"

namespace vigil::dbproxy {

namespace net = boost::asio;
using tcp = net::ip::tcp;

tcp_proxy::tcp_proxy(net::io_context& ioc, const host_port& listen,
                     std::shared_ptr<proxy_context> context)
  : context_(std::move(context)), acceptor_(ioc) {
  boost::system::error_code ec;
  auto fail = [&](const std::string& step) {
    throw std::runtime_error("cannot listen on " + listen.to_string() + ": " + step
                             + (ec ? ": " + ec.message() : std::string{}));
  };
  auto address = net::ip::make_address(listen.host, ec);
  if (ec)
    fail("not an IP address");
  tcp::endpoint endpoint{address, listen.port};
  acceptor_.open(endpoint.protocol(), ec);
  if (ec)
    fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec)
    fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    fail("listen");
  port_ = acceptor_.local_endpoint().port();
  do_accept();
}

void tcp_proxy::do_accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket client) {
    if (ec == net::error::operation_aborted)
      return;
    if (ec)
      context_->log().warn("accept failed: {}", ec.message());
    else
      std::make_shared<proxy_connection>(std::move(client), context_)->start();
    do_accept();
  });
}

} // namespace vigil::dbproxy
