// The interactive shell: readline with history on a terminal, plain lines
// otherwise (so piped input gives clean output without prompts).
#include "vigilctl/shell.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "vigilctl/commands.hpp"
#include "vigilctl/render.hpp"

namespace vigilctl {

namespace {

constexpr int history_lines = 1000;

/// Reads one line at a time, from readline on a terminal, with history kept in
/// ~/.vigilctl_history.
class line_reader {
public:
  explicit line_reader(std::string prompt)
    : prompt_(std::move(prompt)), terminal_(isatty(STDIN_FILENO) != 0) {
    if (!terminal_)
      return;
    if (const char* home = std::getenv("HOME"))
      history_file_ = std::string{home} + "/.vigilctl_history";
    using_history();
    stifle_history(history_lines);
    if (!history_file_.empty())
      read_history(history_file_.c_str()); // A first run has none yet.
  }

  ~line_reader() {
    // Losing history must not fail the shell: write errors are ignored.
    if (!history_file_.empty() && write_history(history_file_.c_str()) == 0)
      history_truncate_file(history_file_.c_str(), history_lines);
  }

  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;

  bool read(std::string& line) {
    if (!terminal_)
      return static_cast<bool>(std::getline(std::cin, line));
    char* raw = readline(prompt_.c_str());
    if (raw == nullptr)
      return false;
    line = raw;
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos)
      add_history(line.c_str());
    return true;
  }

  bool terminal() const noexcept {
    return terminal_;
  }

private:
  std::string prompt_;
  bool terminal_;
  std::string history_file_;
};

/// Runs one shell line that is not a shell word (help, quit).
void run_line(client& node, const std::string& line, bool json) {
  command_line cmd;
  cmd.json = json;
  CLI::App app{"Vigil admin shell"};
  app.name("");
  app.fallthrough(); // "nodes --json" as well as "--json nodes".
  app.require_subcommand(1, 1);
  app.add_flag("--json", cmd.json, "Print one JSON document");
  add_commands(app, cmd);
  try {
    app.parse(line, false);
  } catch (const CLI::ParseError& e) {
    report_parse_error(app, e, "Type 'help' for the commands.");
    return;
  }
  run_command(node, cmd, std::cout, std::cerr);
}

} // namespace

int run_shell(client& node, bool json) {
  auto fmt = json ? format::json : format::text;
  if (auto why = node.connect()) {
    render_error(std::cerr, *why, fmt);
    return 1;
  }
  line_reader reader{"vigil " + node.where() + "> "};
  if (reader.terminal())
    std::cout << "Connected to " << node.where()
              << ". Type 'help' for the commands, 'quit' to leave.\n";
  std::string line;
  while (reader.read(line)) {
    std::istringstream words{line};
    std::string first;
    std::string second;
    words >> first >> second;
    if (first.empty())
      continue;
    if (first == "quit" || first == "exit")
      return 0;
    if (first != "help")
      run_line(node, line, json);
    else if (second.empty())
      print_command_summary(std::cout);
    else if (is_command(second))
      run_line(node, second + " --help", json);
    else
      render_error(std::cerr, "unknown command '" + second + "'", fmt);
    std::cout << std::flush;
  }
  // End of input on a terminal (Ctrl-D) leaves the cursor after the prompt.
  if (reader.terminal())
    std::cout << '\n';
  return 0;
}

} // namespace vigilctl
