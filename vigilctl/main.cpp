// vigilctl: the Vigil admin shell. Parses the command line, then runs one
// command against a node or, without a command, an interactive shell.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "vigilctl/client.hpp"
#include "vigilctl/commands.hpp"
#include "vigilctl/endpoint.hpp"
#include "vigilctl/shell.hpp"

namespace {

constexpr const char* usage_hint
  = "Run 'vigilctl --help' or 'vigilctl COMMAND --help' for usage.";

std::string check_endpoint(const std::string& text) {
  std::string why;
  if (!vigilctl::parse_endpoint(text, &why))
    return why;
  return {};
}

} // namespace

int main(int argc, char** argv) {
  std::string node = "127.0.0.1:4200";
  double timeout_seconds = 5.0;
  vigilctl::command_line cmd;
  CLI::App app{"The Vigil admin shell: asks a node about the cluster.\n"
               "Without a COMMAND, starts an interactive shell."};
  app.name("vigilctl");
  app.fallthrough(); // Global options may also follow the command.
  app.require_subcommand(0, 1);
  app.footer("Exit codes: 0 success; 1 error (cannot connect, timeout, error "
             "reply); 2 usage error.");
  app.add_option("--node", node, "Admin port of any node, as HOST:PORT")
    ->capture_default_str()
    ->type_name("HOST:PORT")
    ->check(CLI::Validator{check_endpoint, "", "endpoint"});
  app.add_flag("--json", cmd.json, "Print one JSON document per command");
  // A day at most keeps the conversion to nanoseconds far from overflow.
  app.add_option("--timeout", timeout_seconds,
                 "Seconds to wait for the connection and for each reply")
    ->capture_default_str()
    ->type_name("SECONDS")
    ->check(CLI::Range(0.001, 86400.0).description(""));
  vigilctl::add_commands(app, cmd);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return vigilctl::report_parse_error(app, e, usage_hint);
  }
  auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
    std::chrono::duration<double>(timeout_seconds));
  vigilctl::client client{*vigilctl::parse_endpoint(node), timeout};
  int code = cmd.name.empty()
               ? vigilctl::run_shell(client, cmd.json)
               : vigilctl::run_command(client, cmd, std::cout, std::cerr);
  if (client.connect_stuck()) {
    // Shutting CAF down would wait for the middleman's blocking connect() to
    // a silent host, for minutes: the answer is given, so leave now.
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(code);
  }
  return code;
}
