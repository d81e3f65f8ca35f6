#include "tests/stack/shop_env.hpp"

#include <cctype>
#include <csignal>

#include <sys/stat.h>

#ifndef SHOPD_BINARY
#  error "the build sets SHOPD_BINARY"
#endif

namespace vigil::test {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

} // namespace

const std::map<std::string, int64_t>& shop_env::list_prices() {
  static const std::map<std::string, int64_t> prices{{"apple", 120}, {"pear", 90}};
  return prices;
}

namespace {

// The catalog is written before the upstreams start, which serve it too.
std::string prepare_dir() {
  auto dir = make_temp_dir("vigil-shopd");
  ::chmod(dir.c_str(), 0755);
  json catalog{{"products", json::array()}};
  for (auto& [sku, cents] : shop_env::list_prices()) {
    auto name = sku;
    name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    catalog["products"].push_back({{"sku", sku}, {"name", name}, {"price_cents", cents}});
  }
  write_file(dir + "/catalog.json", catalog.dump(2));
  return dir;
}

} // namespace

shop_env::shop_env()
  : dir(prepare_dir()),
    primary("primary", dir + "/catalog.json", dir),
    fallback("fallback", dir + "/catalog.json", dir),
    admin_token("test-admin-token") {
  write_file(dir + "/admin.token", admin_token + "\n");
  write_file(dir + "/db.password", pg.app_password() + "\n");
  port = free_port();
  admin_port = free_port();
  // Relative paths resolve against the config's folder: this checks that too.
  config = json{{"listen", "127.0.0.1:" + std::to_string(port)},
                {"admin_listen", "127.0.0.1:" + std::to_string(admin_port)},
                {"admin_token_file", "admin.token"},
                {"db",
                 {{"host", "127.0.0.1"},
                  {"port", pg.port()},
                  {"dbname", pg.app_database()},
                  {"user", pg.app_user()},
                  {"password_file", "db.password"},
                  {"connect_timeout_s", 2}}},
                {"pool", {{"size", 4}, {"wait_timeout_ms", 2000}, {"max_lifetime_ms", 60000}}},
                {"upstream",
                 {{"primary", primary.url()},
                  {"fallback", fallback.url()},
                  {"use", "primary"},
                  {"timeout_ms", 1000}}},
                {"cache_ttl_ms", 60000},
                {"data_dir", "data"},
                {"log_file", "shopd.log"},
                {"catalog", "catalog.json"}};
  config_path = dir + "/shopd.json";
  write_config(config_path, config);
  first_migration = run_shopd({"migrate", "--config", config_path});
  shopd = child_process({SHOPD_BINARY, "serve", "--config", config_path}, dir + "/shopd.out");
  wait_for_status("/healthz", 200);
}

shop_env::~shop_env() {
  shopd.signal(SIGTERM);
  shopd.wait_exit(10s);
}

command_result shop_env::run_shopd(const std::vector<std::string>& args) {
  std::vector<std::string> argv{SHOPD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, 60s);
}

void shop_env::write_config(const std::string& path, const json& cfg) {
  // A comment too: the config format allows them.
  write_file(path, "// written by shopd_test\n" + cfg.dump(2) + "\n");
}

http::client_response shop_env::call(const std::string& method, const std::string& path,
                                     const std::string& body) {
  return http::fetch(method, "http://127.0.0.1:" + std::to_string(port) + path, body, {}, 15s);
}

http::client_response shop_env::admin(const std::string& method, const std::string& path,
                                      const std::string& body, const std::string* token) {
  std::map<std::string, std::string> headers;
  headers["Authorization"] = "Bearer " + (token != nullptr ? *token : admin_token);
  return http::fetch(method, "http://127.0.0.1:" + std::to_string(admin_port) + path, body,
                     headers, 15s);
}

bool shop_env::wait_for_status(const std::string& path, int status,
                               std::chrono::milliseconds timeout) {
  return wait_until(
    [&] {
      try {
        return call("GET", path).status == status;
      } catch (const http::client_error&) {
        return false;
      }
    },
    timeout);
}

shop_env& shared_shop_env() {
  static shop_env env;
  return env;
}

} // namespace vigil::test
