// tcp: a non-blocking connect bounded by the timeout; down when refused or
// silent, degraded when slow.
#include <cerrno>
#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/probes/kinds.hpp"

namespace vigil::probes {

namespace {

class tcp_probe : public probe {
public:
  explicit tcp_probe(const probe_config& cfg) : probe(cfg) {
    auto ep = parse_endpoint(cfg.address, "address");
    host_ = ep.host;
    port_ = std::to_string(ep.port);
  }

  void check(probe_result& r) override {
    auto& cfg = config();
    auto t0 = std::chrono::steady_clock::now();
    int code = 0;
    auto error = connect_once(cfg.timeout_ms, code);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
    r.values["connect_ms"] = ms;
    r.values["up"] = error.empty() ? 1 : 0;
    if (code != 0)
      r.values["errno"] = code; // ECONNREFUSED, ETIMEDOUT...: the kernel's word
    if (!error.empty()) {
      set_down(r, cfg.address + ": " + error);
      return;
    }
    if (cfg.slow_ms > 0 && ms > cfg.slow_ms)
      set_degraded(r, "slow connect to " + cfg.address + ": " + ms_text(ms) + " ms");
    set_ok(r, "connected to " + cfg.address + " in " + ms_text(ms) + " ms");
  }

private:
  /// "" when connected, else why; `code` is the connect's errno, if any.
  std::string connect_once(uint32_t timeout_ms, int& code) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res); rc != 0)
      return std::string{"cannot resolve: "} + ::gai_strerror(rc);
    int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ::freeaddrinfo(res);
      return std::string{"socket: "} + std::strerror(errno);
    }
    std::string error;
    if (::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        code = errno;
        error = std::strerror(errno);
      } else {
        pollfd p{fd, POLLOUT, 0};
        int n = ::poll(&p, 1, static_cast<int>(timeout_ms));
        if (n == 0) {
          error = "no answer within " + std::to_string(timeout_ms) + " ms";
        } else if (n < 0) {
          error = std::string{"poll: "} + std::strerror(errno);
        } else {
          int so_error = 0;
          socklen_t len = sizeof so_error;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
          if (so_error != 0) {
            code = so_error;
            error = std::strerror(so_error);
          }
        }
      }
    }
    ::freeaddrinfo(res);
    ::close(fd);
    return error;
  }

  std::string host_;
  std::string port_;
};

} // namespace

probe_ptr make_tcp_probe(const probe_config& cfg) {
  return std::make_unique<tcp_probe>(cfg);
}

} // namespace vigil::probes
