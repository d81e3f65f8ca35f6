// Async Beast operations driven by a private io_context, so one deadline can
// bound connect, write and read, and a timed-out socket is closed, never
// waited on.
#include "actors/probes/detail/http_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/url.hpp"

namespace vigil::probes::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A /metrics page or a product list; anything larger is a broken peer.
constexpr uint64_t max_body_bytes = 16 * 1024 * 1024;

} // namespace

struct http_get::impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bhttp::request<bhttp::empty_body> req;
  tcp::endpoint peer;
  std::string host;
  bool keep_alive = false;
  bool connected = false;

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.clear();
    connected = false;
  }
};

http_get::http_get(const std::string& url, bool keep_alive) : impl_(std::make_unique<impl>()) {
  auto parts = http::parse_url(url);
  impl_->keep_alive = keep_alive;
  impl_->host = parts.host;
  beast::error_code ec;
  auto addr = net::ip::make_address(parts.host, ec);
  if (ec) {
    // A name: resolved once here (probes target fixed hosts).
    tcp::resolver resolver{impl_->ioc};
    auto results = resolver.resolve(parts.host, std::to_string(parts.port), ec);
    if (ec || results.empty())
      throw std::invalid_argument("cannot resolve " + parts.host + ": " + ec.message());
    impl_->peer = results.begin()->endpoint();
  } else {
    impl_->peer = tcp::endpoint{addr, parts.port};
  }
  auto& req = impl_->req;
  req.method(bhttp::verb::get);
  req.target(parts.target);
  req.version(11);
  req.set(bhttp::field::host, parts.host + ":" + std::to_string(parts.port));
  req.set(bhttp::field::user_agent, "vigil-probe");
  req.keep_alive(keep_alive);
}

http_get::~http_get() = default;

http_answer http_get::fetch(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  http_answer answer;
  std::string stage = "connect";
  beast::error_code failure;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body_bytes);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  s.stream.expires_at(deadline);

  auto on_read = [&](beast::error_code ec, size_t) {
    if (ec) {
      failure = ec;
      return;
    }
    answer.ok = true;
  };
  auto start_read = [&] {
    stage = "read";
    bhttp::async_read(s.stream, s.buffer, parser, on_read);
  };
  auto on_write = [&](beast::error_code ec, size_t) {
    if (ec) {
      failure = ec;
      return;
    }
    start_read();
  };
  auto start_write = [&] {
    stage = "write";
    bhttp::async_write(s.stream, s.req, on_write);
  };
  if (s.connected) {
    start_write();
  } else {
    answer.connected_fresh = true;
    s.stream.async_connect(s.peer, [&](beast::error_code ec) {
      if (ec) {
        failure = ec;
        return;
      }
      s.connected = true;
      start_write();
    });
  }
  s.ioc.restart();
  s.ioc.run();

  // A kept-alive connection the server closed meanwhile: one fresh try.
  if (!answer.ok && !answer.connected_fresh && stage != "connect"
      && (failure == bhttp::error::end_of_stream || failure == net::error::connection_reset
          || failure == net::error::broken_pipe || failure == net::error::eof)
      && std::chrono::steady_clock::now() < deadline) {
    s.close();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    return fetch(std::max(left, std::chrono::milliseconds{1}));
  }
  if (!answer.ok) {
    answer.error = failure == beast::error::timeout
                     ? stage + " timed out after " + std::to_string(timeout.count()) + " ms"
                     : stage + ": " + failure.message();
    s.close();
    return answer;
  }
  auto& res = parser.get();
  answer.status = static_cast<int>(res.result_int());
  answer.body = std::move(res.body());
  if (!s.keep_alive || !res.keep_alive())
    s.close();
  return answer;
}

} // namespace vigil::probes::detail
