// `dbproxy`: a Toxiproxy-like TCP proxy in front of Postgres, with an HTTP
// control API that adds latency to the database's answers for drills.
#include <csignal>
#include <iostream>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "http/server.hpp"
#include "stack/dbproxy/control_api.hpp"
#include "stack/dbproxy/host_port.hpp"
#include "stack/dbproxy/tcp_proxy.hpp"

int main(int argc, char** argv) {
  using namespace vigil::dbproxy;
  CLI::App app{"dbproxy: a TCP proxy in front of Postgres with a latency toxic."};
  std::string listen_text, upstream_text, control_text, log_file;
  app.add_option("--listen", listen_text, "HOST:PORT the database clients connect to")
    ->required();
  app.add_option("--upstream", upstream_text, "HOST:PORT of the real database")->required();
  app.add_option("--control", control_text, "HOST:PORT of the HTTP control API")->required();
  app.add_option("--log-file", log_file, "Append logs here instead of stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  host_port listen, upstream, control;
  try {
    listen = parse_host_port(listen_text, "--listen");
    upstream = parse_host_port(upstream_text, "--upstream");
    control = parse_host_port(control_text, "--control");
  } catch (const std::invalid_argument& e) {
    std::cerr << "dbproxy: " << e.what() << "\n";
    return 2;
  }

  std::shared_ptr<spdlog::logger> log;
  try {
    log = log_file.empty() ? spdlog::stderr_logger_mt("dbproxy")
                           : spdlog::basic_logger_mt("dbproxy", log_file);
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "dbproxy: cannot open the log: " << e.what() << "\n";
    return 2;
  }
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e [%n] %l: %v");
  log->flush_on(spdlog::level::info);

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  boost::asio::io_context ioc{1};
  auto context = std::make_shared<proxy_context>(upstream, log);
  std::optional<tcp_proxy> proxy;
  vigil::http::server::options opts;
  opts.address = control.host;
  opts.port = control.port;
  vigil::http::server control_server{opts};
  install_control_api(control_server, context);
  uint16_t control_port = 0;
  try {
    proxy.emplace(ioc, listen, context);
    control_port = control_server.start();
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 1;
  }
  log->info("proxying {}:{} to {}; control API on {}:{}", listen.host, proxy->port(),
            upstream.to_string(), control.host, control_port);
  std::thread io_thread{[&ioc] { ioc.run(); }};

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log->info("stopping on signal {}", signal_number);
  control_server.stop();
  ioc.stop();
  io_thread.join();
  return 0;
}
