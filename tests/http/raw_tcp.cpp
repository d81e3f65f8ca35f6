// Plain-socket test peers; poll() with deadlines, never a fixed sleep.
#include "tests/http/raw_tcp.hpp"

#include <cerrno>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil::test {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

/// A listening socket on 127.0.0.1 with a kernel-chosen port.
int listen_any(uint16_t& port, int backlog) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::listen(fd, backlog) != 0)
    throw std::runtime_error("cannot listen on 127.0.0.1");
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int millis_left(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

} // namespace

raw_connection::raw_connection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(port);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd_ >= 0)
      ::close(fd_);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
}

raw_connection::~raw_connection() {
  ::close(fd_);
}

void raw_connection::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw std::runtime_error("send failed");
    sent += static_cast<size_t>(n);
  }
}

std::string raw_connection::read_at_least(size_t size, std::chrono::milliseconds timeout) {
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (received.size() < size) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, millis_left(deadline)) <= 0)
      break;
    auto n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0)
      break;
    received.append(buf, static_cast<size_t>(n));
  }
  return received;
}

bool raw_connection::read_until_closed(std::string& received, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, millis_left(deadline)) <= 0)
      return false;
    auto n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET))
      return true;
    if (n < 0)
      return false;
    received.append(buf, static_cast<size_t>(n));
  }
}

silent_listener::silent_listener() {
  fd_ = listen_any(port_, 16);
}

silent_listener::~silent_listener() {
  ::close(fd_);
}

echo_server::echo_server() {
  listen_fd_ = listen_any(port_, 64);
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  acceptor_ = std::thread([this] { accept_loop(); });
}

echo_server::~echo_server() {
  // Closing the write end wakes every poll() on the read end.
  ::close(stop_pipe_[1]);
  acceptor_.join();
  for (auto& t : connections_)
    t.join();
  ::close(stop_pipe_[0]);
  ::close(listen_fd_);
}

void echo_server::accept_loop() {
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0 && errno != EINTR)
      return;
    if (p[1].revents != 0)
      return;
    if ((p[0].revents & POLLIN) == 0)
      continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    ++accepted_;
    std::lock_guard<std::mutex> guard(mutex_);
    connections_.emplace_back([this, fd] { echo_loop(fd); });
  }
}

void echo_server::echo_loop(int fd) {
  char buf[4096];
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0 && errno != EINTR)
      break;
    if (p[1].revents != 0)
      break;
    if (p[0].revents == 0)
      continue;
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      break;
    size_t sent = 0;
    while (sent < static_cast<size_t>(n)) {
      auto w = ::send(fd, buf + sent, static_cast<size_t>(n) - sent, MSG_NOSIGNAL);
      if (w <= 0)
        break;
      sent += static_cast<size_t>(w);
      echoed_ += static_cast<size_t>(w);
    }
  }
  ::close(fd);
}

} // namespace vigil::test
