// The blocking HTTP client: one request per connection, the whole exchange
// (resolve, connect, write, read) bounded by a single deadline.
#include "http/client.hpp"

#include <cctype>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/url.hpp"

namespace vigil::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Responses larger than this are a broken peer, not data we want in memory.
constexpr uint64_t max_response_bytes = 64 * 1024 * 1024;

std::string lower(beast::string_view text) {
  std::string result(text.data(), text.size());
  for (auto& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

} // namespace

client_response fetch(const std::string& method, const std::string& url, const std::string& body,
                      const std::map<std::string, std::string>& headers,
                      std::chrono::milliseconds timeout) {
  url_parts parts;
  try {
    parts = parse_url(url);
  } catch (const std::invalid_argument& e) {
    throw client_error(e.what());
  }
  if (method.empty() || method.find_first_of(" \r\n") != std::string::npos)
    throw client_error("bad HTTP method '" + method + "' for " + url);
  auto where = (parts.host.find(':') != std::string::npos ? "[" + parts.host + "]" : parts.host)
               + ":" + std::to_string(parts.port);
  auto timeout_message = "timeout after " + std::to_string(timeout.count()) + " ms: " + method
                         + " " + url;

  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(parts.target);
  req.version(11);
  req.set(bhttp::field::host, where);
  req.set(bhttp::field::user_agent, "vigil-http");
  if (!body.empty())
    req.set(bhttp::field::content_type, "application/json");
  for (auto& [name, value] : headers)
    req.set(name, value);
  req.body() = body;
  req.keep_alive(false);
  req.prepare_payload();

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_bytes);
  if (method == "HEAD")
    parser.skip(true);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  beast::error_code failure;
  std::string failed_step;
  bool done = false;
  auto fail = [&](beast::error_code ec, const char* step) {
    failure = ec;
    failed_step = step;
  };

  auto on_read = [&](beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "reading the response");
    done = true;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  };
  auto on_write = [&](beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "sending the request");
    bhttp::async_read(stream, buffer, parser, on_read);
  };
  auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec)
      return fail(ec, "connecting");
    bhttp::async_write(stream, req, on_write);
  };
  auto connect = [&](const auto& endpoints) {
    // One deadline for the rest of the exchange, not one per step.
    stream.expires_at(deadline);
    stream.async_connect(endpoints, on_connect);
  };

  beast::error_code ec;
  auto literal = net::ip::make_address(parts.host, ec);
  if (!ec) {
    connect(std::vector<tcp::endpoint>{tcp::endpoint{literal, parts.port}});
  } else {
    resolver.async_resolve(parts.host, std::to_string(parts.port),
                           [&](beast::error_code ec, tcp::resolver::results_type results) {
                             if (ec)
                               return fail(ec, "resolving the host");
                             connect(results);
                           });
  }
  // The stream's deadline covers connect, write and read; run_for also bounds
  // name resolution, which the stream knows nothing about.
  ioc.run_for(timeout);

  if (!done) {
    if (!failure || failure == beast::error::timeout)
      throw client_error(timeout_message);
    if (failure == net::error::connection_refused)
      throw client_error("connection refused to " + where);
    if (failure == bhttp::error::end_of_stream || failure == bhttp::error::partial_message)
      throw client_error(method + " " + url + ": the server closed the connection while "
                         + failed_step);
    throw client_error(method + " " + url + ": " + failed_step + " failed: " + failure.message());
  }

  client_response result;
  auto& msg = parser.get();
  result.status = static_cast<int>(msg.result_int());
  result.body = std::move(msg.body());
  for (auto& field : msg) {
    auto [i, added] = result.headers.emplace(lower(field.name_string()), std::string(field.value()));
    if (!added)
      i->second += ", " + std::string(field.value());
  }
  return result;
}

} // namespace vigil::http
