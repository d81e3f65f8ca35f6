// conn_exhaust: idle connections take every slot up to max_connections, so
// the app's new connections are refused ("too many clients").
#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

constexpr const char* hog_role = "vigil_chaos_idle";

class conn_exhaust : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json& params) override {
    auto limit = params["max_connections"].get<long long>();
    // A role of its own, not a superuser: superusers may use reserved slots.
    std::random_device rd;
    password_ = "idle-" + std::to_string(rd()) + std::to_string(rd());
    ctx_.sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
             + std::string{hog_role} + "') THEN CREATE ROLE " + hog_role
             + " LOGIN; END IF; END $$");
    ctx_.sql("ALTER ROLE " + std::string{hog_role} + " PASSWORD '" + password_ + "'");
    auto dsn = "host=127.0.0.1 port=" + std::to_string(ctx_.target.target_db.port)
               + " dbname=" + ctx_.target.target_db.dbname + " user=" + hog_role
               + " password=" + password_ + " connect_timeout=5";
    std::string stop_reason;
    while (static_cast<long long>(held_.size()) < limit) {
      try {
        held_.push_back(std::make_unique<pqxx::connection>(dsn));
      } catch (const std::exception& e) {
        stop_reason = e.what();
        break;
      }
    }
    if (held_.empty())
      throw fault_error("could not open a single connection: " + stop_reason);
    // Short-lived connections (a probe's, every few hundred ms) held slots
    // at the moment the server refused; like a leak, keep taking the slots
    // they free for a moment, or they keep getting in.
    auto until = std::chrono::steady_clock::now() + top_up_for;
    while (!stop_reason.empty() && static_cast<long long>(held_.size()) < limit
           && std::chrono::steady_clock::now() < until) {
      try {
        held_.push_back(std::make_unique<pqxx::connection>(dsn));
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return "holding " + std::to_string(held_.size()) + " idle connections"
           + (stop_reason.empty() ? "" : " (server refused more: " + first_line(stop_reason) + ")");
  }

  std::string revert(bool) override {
    auto n = held_.size();
    held_.clear();
    return "closed " + std::to_string(n) + " idle connections";
  }

private:
  static constexpr auto top_up_for = std::chrono::milliseconds(1500);

  static std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
  }

  std::string password_;
  std::vector<std::unique_ptr<pqxx::connection>> held_;
};

} // namespace

fault_ptr make_conn_exhaust(const fault_context& ctx) {
  return std::make_unique<conn_exhaust>(
    make_kind("conn_exhaust", "db_connection_exhaustion", "safe", "target-db",
              "Opens idle connections until the server refuses more (max_connections).",
              "Closes them.", false, 60,
              {int_param("max_connections", 1, 10000, 1000, "upper bound of connections to hold")},
              {{"terminate_idle_sessions", ""}}),
    ctx);
}

} // namespace vigil::chaos
