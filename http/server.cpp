// The HTTP server: one listener and one session per connection, after Beast's
// example/http/server/async. Handlers may answer later, from any thread.
#include "http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <fcntl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "http/url.hpp"

namespace vigil::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string request::header(const std::string& name) const {
  auto i = headers.find(name);
  return i == headers.end() ? std::string{} : i->second;
}

response text(int status, std::string body) {
  response res;
  res.status = status;
  res.content_type = "text/plain; charset=utf-8";
  res.body = std::move(body);
  return res;
}

response error(int status, const std::string& message) {
  response res;
  res.status = status;
  // dump() with replace: a message quoting bad client bytes must not throw.
  res.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                     nlohmann::json::error_handler_t::replace);
  return res;
}

namespace {

struct route_entry {
  std::string method;
  std::string path; ///< Without the trailing '*' for prefix routes.
  bool prefix = false;
  handler h;
};

class session;

// State shared by the server and its sessions. Sessions own a reference, so
// the io_context outlives every socket, even one kept by a late responder.
struct core {
  explicit core(server::options o)
    : opts(std::move(o)), ioc(static_cast<int>(std::max<size_t>(1, opts.threads))) {
  }
  server::options opts;
  net::io_context ioc;
  std::mutex mutex;
  bool stopping = false;                                 // guarded by mutex
  std::vector<route_entry> routes;                       // guarded by mutex
  std::map<session*, std::weak_ptr<session>> sessions;  // guarded by mutex
};

std::string lower(beast::string_view text) {
  std::string result(text.data(), text.size());
  for (auto& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, std::shared_ptr<core> shared)
    : core_(std::move(shared)), stream_(std::move(socket)) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec)
      remote_address_ = peer.address().to_string();
  }

  ~session() {
    std::lock_guard<std::mutex> guard(core_->mutex);
    core_->sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard<std::mutex> guard(core_->mutex);
      if (core_->stopping)
        return; // dropping the last reference closes the socket
      core_->sessions[this] = weak_from_this();
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  /// Runs on the strand; ends whatever operation is pending.
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  net::any_io_executor executor() {
    return stream_.get_executor();
  }

  /// Thread-safe: hands the response to the strand unless the server stops.
  void post_response(response res) {
    // Holding the lock across post() means stop() either sees this write
    // queued before its threads finish, or we see `stopping` and drop it.
    std::lock_guard<std::mutex> guard(core_->mutex);
    if (core_->stopping)
      return;
    net::post(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
      self->write(std::move(res), self->keep_alive_);
    });
  }

private:
  // Answers exactly once: a second call is ignored, and a handler that drops
  // every copy of its responder still answers the client with a 500.
  class reply_state {
  public:
    explicit reply_state(std::shared_ptr<session> s) : session_(std::move(s)) {
    }
    ~reply_state() {
      if (!done_.exchange(true))
        session_->post_response(error(500, "the handler dropped the request without answering"));
    }
    void send(response res) {
      if (!done_.exchange(true))
        session_->post_response(std::move(res));
    }

  private:
    std::shared_ptr<session> session_;
    std::atomic<bool> done_{false};
  };

  void do_read() {
    parser_.emplace();
    parser_->body_limit(core_->opts.max_body_bytes);
    stream_.expires_after(core_->opts.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
      return do_close(); // the peer left; nobody to answer
    if (ec == bhttp::error::body_limit)
      return write(error(413, "request body exceeds " + std::to_string(core_->opts.max_body_bytes)
                                + " bytes"),
                   false);
    if (ec && is_parse_error(ec))
      return write(error(400, "bad request: " + ec.message()), false);
    if (ec)
      return do_close(); // timeout, reset, or the server stopping
    handle_request();
  }

  void handle_request() {
    auto& msg = parser_->get();
    request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    split_target(req.target, req.path, req.query);
    for (auto& field : msg) {
      auto key = lower(field.name_string());
      auto value = std::string(field.value());
      auto [i, added] = req.headers.emplace(key, value);
      if (!added)
        i->second += ", " + value;
    }
    req.body = std::move(msg.body());
    req.remote_address = remote_address_;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();

    handler h;
    std::string allowed;
    find_route(req.method, req.path, h, allowed);
    if (!h) {
      if (allowed.empty())
        return write(error(404, "no route for " + req.path), keep_alive_);
      auto res = error(405, "method " + req.method + " not allowed on " + req.path);
      res.headers.emplace_back("Allow", allowed);
      return write(std::move(res), keep_alive_);
    }
    // Only reads have deadlines; the handler may take as long as it needs.
    stream_.expires_never();
    auto state = std::make_shared<reply_state>(shared_from_this());
    try {
      h(req, [state](response res) { state->send(std::move(res)); });
    } catch (const std::exception& e) {
      state->send(error(500, e.what()));
    } catch (...) {
      state->send(error(500, "the handler failed with an unknown exception"));
    }
  }

  // Exact routes win over prefix routes, longer prefixes over shorter ones.
  void find_route(const std::string& method, const std::string& path, handler& h,
                  std::string& allowed) {
    std::lock_guard<std::mutex> guard(core_->mutex);
    const route_entry* best = nullptr;
    auto rank = [](const route_entry& r) {
      return r.prefix ? r.path.size() : std::string::npos;
    };
    for (auto& r : core_->routes) {
      bool matches = r.prefix ? path.compare(0, r.path.size(), r.path) == 0 : path == r.path;
      if (!matches)
        continue;
      if (r.method != method) {
        if (allowed.find(r.method) == std::string::npos)
          allowed += (allowed.empty() ? "" : ", ") + r.method;
        continue;
      }
      if (!best || rank(r) > rank(*best))
        best = &r;
    }
    if (best)
      h = best->h;
  }

  void write(response res, bool keep_alive) {
    bhttp::response<bhttp::string_body> out;
    out.version(version_);
    bool valid_status = res.status >= 100 && res.status <= 999;
    out.result(valid_status ? static_cast<unsigned>(res.status) : 500u);
    out.set(bhttp::field::server, "vigil");
    if (!res.content_type.empty())
      out.set(bhttp::field::content_type, res.content_type);
    for (auto& [name, value] : res.headers)
      out.insert(name, value);
    out.body() = valid_status ? std::move(res.body)
                              : error(500, "the handler answered with status "
                                             + std::to_string(res.status))
                                  .body;
    out.keep_alive(keep_alive);
    out.prepare_payload();
    response_ = std::move(out);
    // A peer that stops reading must not pin the session forever.
    stream_.expires_after(core_->opts.read_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&session::on_write, shared_from_this(),
                                                 response_.keep_alive()));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec)
      return do_close();
    if (!keep_alive)
      return do_close();
    do_read();
  }

  // Closing with unread request bytes makes the kernel send a reset, which
  // can destroy our last response (a 413 before its body) on the way to the
  // client. So we stop sending, then drain what the peer still sends until it
  // closes or the deadline passes.
  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::min<std::chrono::milliseconds>(core_->opts.read_timeout,
                                                              std::chrono::seconds(2)));
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec)
                                return; // closed, reset or past the deadline: done
                              self->drain();
                            });
  }

  // Declared first so it is destroyed last: the stream must go before the
  // io_context that core_ may be the last to own.
  std::shared_ptr<core> core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 8192> drain_buffer_{};
  std::string remote_address_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

class listener : public std::enable_shared_from_this<listener> {
public:
  explicit listener(std::shared_ptr<core> shared)
    : core_(std::move(shared)), acceptor_(net::make_strand(core_->ioc)) {
  }

  /// Throws std::runtime_error naming the address.
  uint16_t open(const std::string& address, uint16_t port) {
    auto where = address + ":" + std::to_string(port);
    beast::error_code ec;
    auto ip = net::ip::make_address(address, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + where + ": bad address");
    tcp::endpoint endpoint{ip, port};
    auto check = [&](const char* step) {
      if (ec)
        throw std::runtime_error("cannot listen on " + where + ": " + step + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    check("open");
    close_on_exec(acceptor_.native_handle());
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    check("set_option");
    acceptor_.bind(endpoint, ec);
    check("bind");
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    check("listen");
    return acceptor_.local_endpoint().port();
  }

  void run() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

private:
  // Asio opens sockets without FD_CLOEXEC: a process this one starts (a
  // Postgres started by a chaos revert) would otherwise keep the port bound
  // after this process is gone.
  static void close_on_exec(int fd) {
    ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
  }

  void do_accept() {
    acceptor_.async_accept(net::make_strand(core_->ioc),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
      return;
    if (!ec) {
      close_on_exec(socket.native_handle());
      std::make_shared<session>(std::move(socket), core_)->start();
    }
    // Other accept errors (e.g. out of file descriptors) concern one connection.
    do_accept();
  }

  std::shared_ptr<core> core_;
  tcp::acceptor acceptor_;
};

} // namespace

struct server::impl {
  std::shared_ptr<core> shared;
  std::shared_ptr<listener> acceptor;
  std::vector<std::thread> threads;
  // Keeps run() going until stop() has posted every close: otherwise the
  // threads could see no work left midway and leave later closes unrun.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::mutex lifecycle_mutex; // serializes start() and stop()
  bool started = false;
  bool stopped = false;
  uint16_t port = 0;
};

server::server(options opts) : impl_(std::make_unique<impl>()) {
  impl_->shared = std::make_shared<core>(std::move(opts));
}

server::~server() {
  stop();
}

void server::route(const std::string& method, const std::string& path, handler h) {
  route_entry entry;
  entry.method = method;
  entry.prefix = !path.empty() && path.back() == '*';
  entry.path = entry.prefix ? path.substr(0, path.size() - 1) : path;
  entry.h = std::move(h);
  std::lock_guard<std::mutex> guard(impl_->shared->mutex);
  impl_->shared->routes.push_back(std::move(entry));
}

uint16_t server::start() {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_mutex);
  if (impl_->stopped)
    throw std::logic_error("vigil::http::server cannot start again after stop()");
  if (impl_->started)
    return impl_->port;
  auto& shared = impl_->shared;
  impl_->acceptor = std::make_shared<listener>(shared);
  impl_->port = impl_->acceptor->open(shared->opts.address, shared->opts.port);
  impl_->acceptor->run();
  impl_->work.emplace(shared->ioc.get_executor());
  auto count = std::max<size_t>(1, shared->opts.threads);
  for (size_t i = 0; i < count; ++i)
    impl_->threads.emplace_back([shared] { shared->ioc.run(); });
  impl_->started = true;
  return impl_->port;
}

// Must not be called from a handler: it joins the threads that run them.
void server::stop() {
  std::lock_guard<std::mutex> guard(impl_->lifecycle_mutex);
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  auto& shared = impl_->shared;
  std::vector<std::shared_ptr<session>> open_sessions;
  {
    std::lock_guard<std::mutex> lock(shared->mutex);
    shared->stopping = true;
    for (auto& [ptr, weak] : shared->sessions)
      if (auto s = weak.lock())
        open_sessions.push_back(std::move(s));
  }
  if (!impl_->started)
    return;
  impl_->acceptor->close();
  for (auto& s : open_sessions)
    net::post(s->executor(), [s] { s->close(); });
  // Outside the lock: the last reference may run ~session, which locks it.
  open_sessions.clear();
  impl_->work.reset();
  // With the acceptor and every socket closed, run() returns once the
  // cancelled operations have completed.
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
  impl_->acceptor.reset();
}

} // namespace vigil::http
