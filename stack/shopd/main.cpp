// shopd: the demo shop API that Vigil keeps alive. `shopd serve` runs it,
// `shopd migrate` prepares its database.
#include <csignal>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include "http/server.hpp"
#include "stack/shopd/admin_api.hpp"
#include "stack/shopd/config.hpp"
#include "stack/shopd/db_connect.hpp"
#include "stack/shopd/db_error.hpp"
#include "stack/shopd/http_edge.hpp"
#include "stack/shopd/migrator.hpp"
#include "stack/shopd/public_api.hpp"
#include "stack/shopd/shop_services.hpp"

namespace {

using namespace vigil;
using namespace vigil::shop;

constexpr int exit_bad_config = 2;

http::server::options server_options(const listen_address& address, size_t threads) {
  http::server::options opts;
  opts.address = address.host;
  opts.port = address.port;
  opts.threads = threads;
  return opts;
}

int migrate_command(const shop_config& config) {
  try {
    auto db = connect_db(config.db);
    migrate(*db, config.migrations_dir, config.catalog, std::cout);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "shopd migrate: " << e.what() << "\n";
    return 1;
  }
}

int serve_command(const shop_config& config) {
  // Signals are taken by sigwait below; block them before any thread
  // starts, so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<shop_services> services;
  try {
    services = std::make_unique<shop_services>(config);
  } catch (const std::exception& e) {
    std::cerr << "shopd: cannot start: " << e.what() << "\n";
    return exit_bad_config;
  }
  try {
    services->receipts.prepare();
  } catch (const std::exception& e) {
    // Not fatal: /readyz reports the disk, and the disk may come back.
    services->log.error("receipts", e.what());
  }
  // Workers beyond the pool size let waiting callers show as "waiting".
  http_edge edge{*services, config.pool.size + 4};
  http::server public_server{server_options(config.listen, 2)};
  http::server admin_server{server_options(config.admin_listen, 1)};
  install_public_api(public_server, edge, *services);
  install_admin_api(admin_server, edge, *services);
  uint16_t public_port = 0;
  uint16_t admin_port = 0;
  try {
    public_port = public_server.start();
    admin_port = admin_server.start();
  } catch (const std::exception& e) {
    std::cerr << "shopd: " << e.what() << "\n";
    services->log.error("startup", e.what());
    return 1;
  }
  auto listening = "serving on " + config.listen.host + ":" + std::to_string(public_port)
                   + ", admin on " + config.admin_listen.host + ":"
                   + std::to_string(admin_port);
  services->log.info("startup", listening);
  std::cout << "shopd: " << listening << std::endl;

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0)
      continue;
    if (sig == SIGHUP) {
      try {
        services->reload();
        services->log.info("reload", "config reloaded on SIGHUP");
      } catch (const std::exception& e) {
        services->log.error("reload", std::string{"refused, old config kept: "} + e.what());
      }
      continue;
    }
    services->log.info("shutdown", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  public_server.stop();
  admin_server.stop();
  edge.stop();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"shopd: the demo shop API (serve is the default command)"};
  std::string config_path;
  app.add_option("--config", config_path, "the JSON config file")->required();
  app.fallthrough();
  auto serve = app.add_subcommand("serve", "serve the shop API (default)");
  auto migrate = app.add_subcommand("migrate",
                                    "apply pending SQL migrations and upsert the catalog");
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);
  (void) serve;

  shop_config config;
  try {
    config = load_config(config_path);
  } catch (const config_error& e) {
    std::cerr << "shopd: " << e.what() << "\n";
    return exit_bad_config;
  }
  if (migrate->parsed())
    return migrate_command(config);
  return serve_command(config);
}
