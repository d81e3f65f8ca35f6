// `pricingd`: the demo shop's upstream pricing service. The demo runs a
// primary and a fallback instance; drills switch their mode over admin HTTP.
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "http/server.hpp"
#include "stack/pricingd/pricing_api.hpp"

namespace {

/// The token in `path` without surrounding whitespace; throws when unusable.
std::string read_token(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read the admin token file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto token = buffer.str();
  auto first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    throw std::runtime_error("the admin token file " + path + " is empty");
  auto last = token.find_last_not_of(" \t\r\n");
  return token.substr(first, last - first + 1);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"pricingd: the demo shop's upstream pricing service."};
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string name = "pricingd";
  std::string catalog = PRICINGD_DEFAULT_CATALOG;
  std::string token_file;
  std::string log_file;
  app.add_option("--host", host, "Address to listen on")->capture_default_str();
  app.add_option("--port", port, "Port to listen on (0 picks one and logs it)")->required();
  app.add_option("--name", name, "Instance name, shown in logs and responses")
    ->capture_default_str();
  app.add_option("--catalog", catalog, "Catalog JSON with the list prices")
    ->capture_default_str()
    ->check(CLI::ExistingFile);
  app.add_option("--admin-token-file", token_file,
                 "File holding the admin bearer token; without it /admin/* is disabled")
    ->check(CLI::ExistingFile);
  app.add_option("--log-file", log_file, "Append logs here instead of stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::shared_ptr<spdlog::logger> log;
  try {
    log = log_file.empty() ? spdlog::stderr_logger_mt(name)
                           : spdlog::basic_logger_mt(name, log_file);
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "pricingd: cannot open the log: " << e.what() << "\n";
    return 2;
  }
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e [%n] %l: %v");
  log->flush_on(spdlog::level::info);

  vigil::pricing::price_list prices;
  std::optional<std::string> token;
  try {
    prices = vigil::pricing::load_prices(catalog);
    if (!token_file.empty())
      token = read_token(token_file);
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 2;
  }

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto price_count = prices.size();
  vigil::pricing::pricing_api api{name, std::move(prices), token, log};
  vigil::http::server::options opts;
  opts.address = host;
  opts.port = port;
  opts.threads = 2;
  vigil::http::server server{opts};
  api.install(server);
  try {
    auto bound = server.start();
    log->info("{} listening on {}:{} with {} prices from {}; admin endpoints {}", name, host,
              bound, price_count, catalog, token ? "enabled" : "disabled");
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 1;
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log->info("stopping on signal {}", signal_number);
  server.stop();
  return 0;
}
