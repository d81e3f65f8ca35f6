// One proxied client: connects upstream, then pumps bytes both ways, holding
// each upstream→client chunk for the latency toxic's delay (order preserved).
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "stack/dbproxy/proxy_context.hpp"

namespace vigil::dbproxy {

class proxy_connection : public std::enable_shared_from_this<proxy_connection> {
public:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::system::error_code;

  proxy_connection(tcp::socket client, std::shared_ptr<proxy_context> context);
  ~proxy_connection();

  void start();

private:
  struct held_chunk {
    std::string bytes;
    std::chrono::steady_clock::time_point due;
  };

  void on_resolved(error_code ec, tcp::resolver::results_type endpoints);
  void on_connected(error_code ec);

  // client → upstream, passed on as it arrives.
  void read_client();
  void on_client_read(error_code ec, size_t size);
  void on_upstream_written(error_code ec);

  // upstream → client, each chunk held until its due time.
  void read_upstream();
  void on_upstream_read(error_code ec, size_t size);
  void release_next();
  void on_client_written(error_code ec);
  void finish_downstream();

  void close(const std::string& why);

  std::shared_ptr<proxy_context> context_;
  tcp::socket client_;
  tcp::socket upstream_;
  tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  std::array<char, 16384> client_buffer_{};
  std::array<char, 16384> upstream_buffer_{};
  std::deque<held_chunk> held_;
  size_t held_bytes_ = 0;
  std::chrono::steady_clock::time_point last_due_{};
  bool releasing_ = false;       // a timer wait or client write is in flight
  bool upstream_paused_ = false; // too much held: stop reading upstream
  bool client_done_ = false;     // the client half-closed
  bool downstream_done_ = false; // upstream finished and everything was released
  bool closed_ = false;
  uint64_t id_ = 0;
  std::string peer_;
  uint64_t bytes_up_ = 0;
  uint64_t bytes_down_ = 0;
};

} // namespace vigil::dbproxy
