// Test support: real child processes, captured command output, free ports,
// and waiting on a condition with a deadline (never a fixed sleep).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace vigil::test {

/// A child process whose output goes to a log file.
class child_process {
public:
  child_process() = default;
  child_process(std::vector<std::string> argv, std::string log_path);
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;
  ~child_process(); // SIGKILLs a process still running

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  /// Waits up to `timeout` for the exit; returns the wait status or -1.
  int wait_exit(std::chrono::milliseconds timeout);
  const std::string& log_path() const { return log_path_; }

private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

struct command_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion (killed after `timeout`) and captures its output.
command_result run_command(const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// Polls `condition` every 20 ms until it holds or `timeout` passed.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20));

/// A TCP port that was free a moment ago on 127.0.0.1.
uint16_t free_port();

/// A fresh empty directory under the system temp folder.
std::string make_temp_dir(const std::string& prefix);

/// The contents of a file, or "" when it cannot be read.
std::string read_file(const std::string& path);

void write_file(const std::string& path, const std::string& contents);

} // namespace vigil::test
