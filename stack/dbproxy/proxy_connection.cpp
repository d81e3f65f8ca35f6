// One proxied client connection; see proxy_connection.hpp. All handlers run
// on the proxy's single io_context thread, so no strand is needed.
#include "stack/dbproxy/proxy_connection.hpp"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace vigil::dbproxy {

namespace net = boost::asio;

namespace {

// Beyond this many held bytes we stop reading upstream, so a slow toxic
// cannot make the proxy buffer a whole result set in memory.
constexpr size_t max_held_bytes = 4 * 1024 * 1024;

} // namespace

proxy_connection::proxy_connection(tcp::socket client, std::shared_ptr<proxy_context> context)
  : context_(std::move(context)),
    client_(std::move(client)),
    upstream_(client_.get_executor()),
    resolver_(client_.get_executor()),
    timer_(client_.get_executor()) {
  id_ = context_->connection_opened();
  error_code ec;
  auto peer = client_.remote_endpoint(ec);
  peer_ = ec ? "unknown peer" : peer.address().to_string() + ":" + std::to_string(peer.port());
}

proxy_connection::~proxy_connection() {
  if (!closed_)
    context_->connection_closed();
}

void proxy_connection::start() {
  context_->log().info("connection #{} from {}: connecting to {}", id_, peer_,
                       context_->upstream().to_string());
  resolver_.async_resolve(context_->upstream().host, std::to_string(context_->upstream().port),
                          [self = shared_from_this()](error_code ec,
                                                     tcp::resolver::results_type endpoints) {
                            self->on_resolved(ec, std::move(endpoints));
                          });
}

void proxy_connection::on_resolved(error_code ec, tcp::resolver::results_type endpoints) {
  if (ec)
    return close("cannot resolve upstream " + context_->upstream().to_string() + ": "
                 + ec.message());
  net::async_connect(upstream_, endpoints,
                     [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
                       self->on_connected(ec);
                     });
}

void proxy_connection::on_connected(error_code ec) {
  if (ec)
    return close("cannot reach upstream " + context_->upstream().to_string() + ": "
                 + ec.message());
  error_code ignored;
  upstream_.set_option(tcp::no_delay(true), ignored);
  client_.set_option(tcp::no_delay(true), ignored);
  read_client();
  read_upstream();
}

void proxy_connection::read_client() {
  client_.async_read_some(net::buffer(client_buffer_),
                          [self = shared_from_this()](error_code ec, size_t size) {
                            self->on_client_read(ec, size);
                          });
}

void proxy_connection::on_client_read(error_code ec, size_t size) {
  if (closed_)
    return;
  if (ec == net::error::eof) {
    // Pass the half-close on; the answer may still be on its way back.
    client_done_ = true;
    error_code ignored;
    upstream_.shutdown(tcp::socket::shutdown_send, ignored);
    if (downstream_done_)
      close("both sides finished");
    return;
  }
  if (ec)
    return close("client: " + ec.message());
  bytes_up_ += size;
  net::async_write(upstream_, net::buffer(client_buffer_.data(), size),
                   [self = shared_from_this()](error_code ec, size_t) {
                     self->on_upstream_written(ec);
                   });
}

void proxy_connection::on_upstream_written(error_code ec) {
  if (closed_)
    return;
  if (ec)
    return close("upstream write: " + ec.message());
  read_client();
}

void proxy_connection::read_upstream() {
  upstream_.async_read_some(net::buffer(upstream_buffer_),
                            [self = shared_from_this()](error_code ec, size_t size) {
                              self->on_upstream_read(ec, size);
                            });
}

void proxy_connection::on_upstream_read(error_code ec, size_t size) {
  if (closed_)
    return;
  if (ec == net::error::eof) {
    downstream_done_ = true;
    if (held_.empty() && !releasing_)
      finish_downstream();
    return;
  }
  if (ec)
    return close("upstream: " + ec.message());
  bytes_down_ += size;
  // Never due before the chunk ahead of it: jitter must not reorder bytes.
  auto due = std::max(std::chrono::steady_clock::now() + context_->sample_delay(), last_due_);
  last_due_ = due;
  held_.push_back({std::string(upstream_buffer_.data(), size), due});
  held_bytes_ += size;
  release_next();
  if (held_bytes_ < max_held_bytes)
    read_upstream();
  else
    upstream_paused_ = true;
}

void proxy_connection::release_next() {
  if (releasing_ || held_.empty())
    return;
  releasing_ = true;
  auto write_front = [this] {
    net::async_write(client_, net::buffer(held_.front().bytes),
                     [self = shared_from_this()](error_code ec, size_t) {
                       self->on_client_written(ec);
                     });
  };
  if (held_.front().due <= std::chrono::steady_clock::now())
    return write_front();
  timer_.expires_at(held_.front().due);
  timer_.async_wait([self = shared_from_this(), write_front](error_code ec) {
    if (self->closed_ || ec)
      return;
    write_front();
  });
}

void proxy_connection::on_client_written(error_code ec) {
  releasing_ = false;
  if (closed_)
    return;
  if (ec)
    return close("client write: " + ec.message());
  held_bytes_ -= held_.front().bytes.size();
  held_.pop_front();
  if (upstream_paused_ && held_bytes_ < max_held_bytes) {
    upstream_paused_ = false;
    read_upstream();
  }
  if (held_.empty() && downstream_done_)
    return finish_downstream();
  release_next();
}

void proxy_connection::finish_downstream() {
  error_code ignored;
  client_.shutdown(tcp::socket::shutdown_send, ignored);
  if (client_done_)
    close("both sides finished");
  else
    close("upstream closed");
}

void proxy_connection::close(const std::string& why) {
  if (closed_)
    return;
  closed_ = true;
  error_code ignored;
  client_.close(ignored);
  upstream_.close(ignored);
  timer_.cancel();
  resolver_.cancel();
  context_->connection_closed();
  context_->log().info("connection #{} from {} closed ({}); {} bytes up, {} bytes down", id_,
                       peer_, why, bytes_up_, bytes_down_);
}

} // namespace vigil::dbproxy
