// `vigil`: the node binary. `vigil node --config FILE [overrides]`.
#include <iostream>

#include <CLI/CLI.hpp>

#include "config/node_config.hpp"
#include "nodes/node.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Vigil: an autonomous SRE built from supervised actors on networked nodes."};
  app.require_subcommand(1);
  auto node = app.add_subcommand("node", "Run one Vigil node (until SIGINT/SIGTERM or vigilctl stop).");
  std::string config_path, roles, join, id, host;
  uint16_t port = 0;
  node->add_option("--config", config_path, "Node config file (JSON, comments allowed)")
    ->required()
    ->check(CLI::ExistingFile);
  node->add_option("--roles", roles, "Override roles: comma list of control,action,probe,chaos");
  node->add_option("--port", port, "Override the admin port")->check(CLI::Range(1, 65535));
  node->add_option("--join", join, "Override the control node to join (HOST:PORT)");
  node->add_option("--id", id, "Override the node id");
  node->add_option("--host", host, "Override the address to listen on and advertise");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e);
    return e.get_exit_code() == 0 ? 0 : (code == 0 ? 0 : 2);
  }
  vigil::node_config cfg;
  try {
    cfg = vigil::load_node_config(config_path);
    if (!roles.empty())
      cfg.roles = vigil::parse_roles(roles);
    if (port != 0)
      cfg.port = port;
    if (!join.empty())
      cfg.join = {vigil::parse_endpoint(join, "--join")};
    if (!id.empty())
      cfg.id = id;
    if (!host.empty())
      cfg.host = host;
    vigil::validate(cfg, config_path + " (with command-line overrides)");
  } catch (const vigil::config_error& e) {
    std::cerr << "vigil: bad configuration: " << e.what() << "\n";
    return 2;
  }
  try {
    return vigil::run_node(cfg);
  } catch (const vigil::config_error& e) {
    // A role's own file (stack, chaos targets) is read as the node starts.
    std::cerr << "vigil: bad configuration: " << e.what() << "\n";
    return 2;
  }
}
