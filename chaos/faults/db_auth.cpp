// db_auth: the app role's password is changed in Postgres and its sessions
// are cut, so the app cannot log in again. Revert restores the old secret,
// unless the password was changed since (repaired by a secret rotation):
// the old one would break the app again.
#include <random>

#include "chaos/faults/faults.hpp"

namespace vigil::chaos {

namespace {

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string{"''"} : std::string(1, c);
  return out + "'";
}

class db_auth : public basic_fault {
public:
  using basic_fault::basic_fault;

  std::string inject(const nlohmann::json&) override {
    auto& role = ctx_.target.target_db.app_role;
    // The stored SCRAM secret can be set again verbatim: that is the snapshot.
    old_secret_ = ctx_.sql("SELECT rolpassword FROM pg_authid WHERE rolname = " + quote(role));
    if (old_secret_.empty())
      throw fault_error("role " + role + " has no password to change");
    std::random_device rd;
    auto fresh = "chaos-" + std::to_string(rd()) + std::to_string(rd());
    ctx_.sql("ALTER ROLE \"" + role + "\" PASSWORD " + quote(fresh));
    injected_secret_ = ctx_.sql("SELECT rolpassword FROM pg_authid WHERE rolname = " + quote(role));
    ctx_.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = "
             + quote(role));
    return "changed the password of role " + role + " and cut its sessions";
  }

  std::string revert(bool) override {
    if (old_secret_.empty())
      return "nothing to restore";
    auto& role = ctx_.target.target_db.app_role;
    if (ctx_.sql("SELECT rolpassword FROM pg_authid WHERE rolname = " + quote(role))
        != injected_secret_) {
      old_secret_.clear();
      return "the password of role " + role + " was changed since (repaired): left as it is";
    }
    ctx_.sql("ALTER ROLE \"" + ctx_.target.target_db.app_role + "\" PASSWORD "
             + quote(old_secret_));
    old_secret_.clear();
    return "restored the previous password of role " + ctx_.target.target_db.app_role;
  }

private:
  std::string old_secret_;
  std::string injected_secret_; ///< What inject set, to tell a repair from the fault.
};

} // namespace

fault_ptr make_db_auth(const fault_context& ctx) {
  return std::make_unique<db_auth>(
    make_kind("db_auth", "db_credentials_invalid", "safe", "target-db",
              "Changes the app role's password in Postgres and terminates its sessions.",
              "Sets the role's previous password secret again, unless it was changed since.",
              false, 60, {},
              {{"rotate_db_secret", ""}, {"restart_service", "shopd"}}),
    ctx);
}

} // namespace vigil::chaos
