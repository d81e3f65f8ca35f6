#include "vigilctl/drill/oracle_client.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "messages/unix_time.hpp"

namespace vigilctl::drill {

namespace {

using json = nlohmann::json;
constexpr auto request_timeout = std::chrono::seconds(2);

bool ok(int status) {
  return status >= 200 && status < 300;
}

/// The id of an acknowledged order ({"id": 42, ...}); "" when none.
std::string order_id_of(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("id"))
    return "";
  auto& id = j["id"];
  if (id.is_number_integer())
    return std::to_string(id.get<int64_t>());
  return "";
}

} // namespace

oracle_client::oracle_client(std::string base_url, std::string ledger_path,
                             std::chrono::milliseconds every)
  : base_url_(std::move(base_url)), ledger_path_(std::move(ledger_path)), every_(every) {
  // nop
}

oracle_client::~oracle_client() {
  stop();
}

void oracle_client::start() {
  ledger_fd_ = ::open(ledger_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (ledger_fd_ < 0)
    throw std::runtime_error("cannot open the oracle's ledger " + ledger_path_ + ": "
                             + std::strerror(errno));
  running_ = true;
  thread_ = std::thread{[this] { run(); }};
}

void oracle_client::stop() {
  running_ = false;
  if (thread_.joinable())
    thread_.join();
  if (ledger_fd_ >= 0)
    ::close(ledger_fd_);
  ledger_fd_ = -1;
}

std::vector<oracle_tick> oracle_client::ticks() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return ticks_;
}

std::vector<std::string> oracle_client::acked() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return acked_;
}

void oracle_client::run() {
  while (running_) {
    auto next = std::chrono::steady_clock::now() + every_;
    auto at = vigil::now_unix_ms();
    auto served = visit();
    {
      std::lock_guard<std::mutex> guard{mutex_};
      ticks_.push_back({at, served});
    }
    std::this_thread::sleep_until(next);
  }
}

/// The catalogue, then one order of its first product: served when both
/// answer 2xx and the order has an id, which is on disk before it counts.
bool oracle_client::visit() {
  try {
    auto products = vigil::http::fetch("GET", base_url_ + "/products", "", {}, request_timeout);
    if (!ok(products.status))
      return false;
    auto j = json::parse(products.body, nullptr, false);
    if (skus_.empty() && j.is_object() && j.contains("products") && j["products"].is_array())
      for (auto& p : j["products"])
        if (p.is_object() && p.contains("sku") && p["sku"].is_string())
          skus_.push_back(p["sku"].get<std::string>());
    if (skus_.empty())
      return false;
    auto& sku = skus_[visits_++ % skus_.size()];
    auto order = vigil::http::fetch("POST", base_url_ + "/orders",
                                    json{{"sku", sku}, {"quantity", 1}}.dump(),
                                    {{"content-type", "application/json"}}, request_timeout);
    auto id = ok(order.status) ? order_id_of(order.body) : "";
    if (id.empty())
      return false;
    auto line = id + "\n";
    if (::write(ledger_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())
        || ::fsync(ledger_fd_) != 0)
      return false; // not on disk: not counted
    std::lock_guard<std::mutex> guard{mutex_};
    acked_.push_back(id);
    return true;
  } catch (const std::exception&) {
    return false; // refused, timed out, reset: not served
  }
}

} // namespace vigilctl::drill
