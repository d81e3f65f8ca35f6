// rotate_db_secret: a new random password for a DB role, in the secret store
// and on the role, the fix for credentials out of sync (chaos `db_auth`, an
// ALTER ROLE by hand). shopd reads its password file for every new
// connection and its pool replaces failed ones, so no reload or restart is
// needed; the tool waits until the app's readiness says its DB is ok.
// Secret values never leave this process: output and detail name the secret.
// Settings: {"cluster_dir", "port", "login_host", "verify_timeout_s",
//            "roles": {"shop": {"database": "shop", "secret": "shop-db-password", "app": "shopd"}},
//            "services": {"shopd": {"public_url"}}}.
#include "actors/actions/tools/tools.hpp"

#include "actors/actions/secret_store.hpp"
#include "actors/actions/tools/stack_admin.hpp"
#include "actors/actions/tools/target_db.hpp"
#include "actors/actions/tools/tool_args.hpp"
#include "actors/actions/tools/wait_for.hpp"

namespace vigil::actions {

namespace {

struct role_binding {
  std::string database = "shop";
  std::string secret;   ///< The one secret this role's password lives in.
  std::string app;      ///< The service that logs in with it (may be empty).
};

/// Whether the app says its DB works, and its error otherwise.
bool app_db_ok(const actions_config& cfg, const stack_service& app, std::string& why) {
  try {
    auto r = admin_request(cfg, "GET", app.public_url, "/readyz", "");
    auto& db = r.body.is_object() ? r.body["db"] : r.body;
    if (db.is_object() && db.value("ok", false))
      return true;
    why = db.is_object() && db["error"].is_string() ? db["error"].get<std::string>()
                                                    : "readyz answered " + std::to_string(r.status);
  } catch (const std::exception& e) {
    why = e.what();
  }
  return false;
}

class rotate_db_secret : public tool {
public:
  explicit rotate_db_secret(const actions_config& cfg)
    : cfg_(cfg), db_(target_db::of(cfg, "rotate_db_secret")),
      services_(stack_services(cfg, "rotate_db_secret")) {
    auto& s = cfg.settings("rotate_db_secret");
    if (auto i = s.find("verify_timeout_s"); i != s.end() && i->is_number_unsigned())
      verify_timeout_s_ = i->get<int>();
    if (auto i = s.find("roles"); i != s.end() && i->is_object())
      for (auto& [role, b] : i->items()) {
        if (!b.is_object())
          continue;
        role_binding binding;
        binding.database = b.value("database", "shop");
        binding.secret = b.value("secret", "");
        binding.app = b.value("app", "");
        roles_.emplace(role, binding);
      }
  }

  tool_info info() const override {
    return {"rotate_db_secret", "high",
            "Sets a new random password on a DB role and in its secret, then waits until the app "
            "logs in with it; rolls back if the new password does not work.",
            "role (e.g. shop); secret: the secret's name (default the role's configured one); "
            "force: rotate even when the secret still works (default false)"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"role", "secret", "force"}};
    auto role = a.text("role", "");
    auto i = roles_.find(role);
    if (i == roles_.end())
      throw bad_args("argument 'role': '" + role + "' is not a role this tool may rotate");
    auto secret = a.text("secret", i->second.secret.empty() ? "-" : i->second.secret);
    if (!secret_store::valid_name(secret))
      throw bad_args("argument 'secret': '" + secret + "' is not a secret name (a name, never a path)");
    // A role's password lives in one secret: never write it anywhere else.
    if (secret != i->second.secret)
      throw bad_args("argument 'secret': role " + role + "'s password lives in secret '"
                     + i->second.secret + "', not '" + secret + "'");
    return {{"role", role}, {"secret", secret}, {"force", a.flag("force", false)}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto role = args.at("role").get<std::string>();
    auto secret = args.at("secret").get<std::string>();
    auto& binding = roles_.at(role);
    secret_store store{cfg_.secrets_dir};
    tool_outcome out;
    out.output = {{"role", role}, {"secret", secret}, {"database", binding.database}};

    std::string old_value, why;
    bool had_secret = store.exists(secret);
    if (had_secret)
      old_value = store.read(secret);
    if (!args.at("force").get<bool>() && had_secret
        && db_.can_log_in(binding.database, role, old_value, &why)) {
      out.output["changed"] = false;
      out.detail = "role " + role + " already logs in with secret " + secret + "; nothing changed";
      return out;
    }
    out.output["mismatch"] = why;

    // What to put back if the new password does not work.
    auto conn = db_.superuser(binding.database);
    std::string old_verifier;
    bool had_verifier = false;
    try {
      pqxx::work tx{*conn};
      auto rows = tx.exec_params("SELECT rolpassword FROM pg_authid WHERE rolname = $1", role);
      if (rows.empty())
        throw tool_failure("role " + role + " does not exist in the target DB");
      had_verifier = !rows[0][0].is_null();
      old_verifier = had_verifier ? rows[0][0].as<std::string>() : "";
      tx.commit();
    } catch (const tool_failure&) {
      throw;
    } catch (const std::exception& e) {
      throw tool_failure(std::string{"target DB: "} + e.what());
    }
    auto set_role = [&](const std::string& verifier, bool null_password) {
      pqxx::work tx{*conn};
      tx.exec("ALTER ROLE " + conn->quote_name(role) + " PASSWORD "
              + (null_password ? std::string{"NULL"} : conn->quote(verifier)));
      tx.commit();
    };
    auto roll_back = [&] {
      if (had_secret)
        store.write(secret, old_value);
      set_role(old_verifier, !had_verifier);
    };

    auto new_value = secret_store::random_value();
    store.write(secret, new_value);
    try {
      set_role(db_.scram_verifier(role, new_value), false);
    } catch (const std::exception& e) {
      if (had_secret)
        store.write(secret, old_value);
      throw tool_failure("ALTER ROLE " + role + " failed, secret " + secret + " put back: " + e.what());
    }
    out.output["changed"] = true;

    if (!db_.can_log_in(binding.database, role, new_value, &why)) {
      roll_back();
      out.output["rolled_back"] = true;
      out.status = "failed";
      out.detail = "role " + role + " cannot log in with its new password (" + why
                   + "); rolled back the role and secret " + secret;
      return out;
    }
    out.output["rolled_back"] = false;
    // The old password is the broken one: once the DB accepts the new one,
    // going back would only restore the outage. The app is checked, not undone.
    auto app = services_.find(binding.app);
    if (app == services_.end() || app->second.public_url.empty()) {
      out.detail = "rotated the password of role " + role + " (secret " + secret
                   + "); no app configured to verify";
      return out;
    }
    bool app_ok = wait_for([&] { return app_db_ok(cfg_, app->second, why); },
                           std::chrono::seconds{verify_timeout_s_}, std::chrono::milliseconds{500});
    out.output["app"] = binding.app;
    out.output["app_db_ok"] = app_ok;
    if (!app_ok) {
      out.status = "failed";
      out.detail = "rotated the password of role " + role + " (secret " + secret
                   + ") and the DB accepts it, but " + binding.app + " still cannot use its DB: " + why;
      return out;
    }
    out.detail = "rotated the password of role " + role + " (secret " + secret + "); "
                 + binding.app + " logs in again";
    return out;
  }

private:
  actions_config cfg_;
  target_db db_;
  std::map<std::string, stack_service> services_;
  std::map<std::string, role_binding> roles_;
  int verify_timeout_s_ = 30;
};

} // namespace

tool_ptr make_rotate_db_secret(const actions_config& cfg) {
  return std::make_unique<rotate_db_secret>(cfg);
}

} // namespace vigil::actions
