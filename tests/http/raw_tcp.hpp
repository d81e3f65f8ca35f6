// Plain-socket peers for HTTP and proxy tests: a client that sends exact
// bytes, a listener that never answers, and an echo server.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::test {

/// A blocking TCP connection to 127.0.0.1:`port`; throws when it cannot connect.
class raw_connection {
public:
  explicit raw_connection(uint16_t port);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  void send(const std::string& bytes);
  /// Reads until `size` bytes arrived, the peer closed, or `timeout` passed.
  std::string read_at_least(size_t size, std::chrono::milliseconds timeout);
  /// Reads until the peer closes; false when it stays open past `timeout`.
  bool read_until_closed(std::string& received, std::chrono::milliseconds timeout);

private:
  int fd_ = -1;
};

/// Accepts TCP handshakes (via the backlog) but never reads or answers.
class silent_listener {
public:
  silent_listener();
  ~silent_listener();
  uint16_t port() const { return port_; }

private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

/// Echoes every byte back on every connection until destroyed.
class echo_server {
public:
  echo_server();
  ~echo_server();
  echo_server(const echo_server&) = delete;
  echo_server& operator=(const echo_server&) = delete;
  uint16_t port() const { return port_; }
  size_t accepted() const { return accepted_; }
  /// Bytes sent back so far, over all connections.
  size_t echoed() const { return echoed_; }

private:
  void accept_loop();
  void echo_loop(int fd);

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<size_t> accepted_{0};
  std::atomic<size_t> echoed_{0};
  std::mutex mutex_;
  std::vector<std::thread> connections_; // guarded by mutex_
  std::thread acceptor_;
};

} // namespace vigil::test
