// fork/exec done the multi-threaded way: everything the child needs is built
// before fork(), the child calls only async-signal-safe functions, and a
// close-on-exec pipe tells the parent whether exec succeeded (and if not, why).
#include "actors/services/exec_backend.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/services/detail/exit_watcher.hpp"
#include "actors/services/detail/memory_cgroup.hpp"
#include "actors/services/detail/proc.hpp"

extern char** environ;

namespace vigil::services {

namespace {

namespace fs = std::filesystem;

/// Where the child failed, sent through the status pipe with errno.
enum child_stage : int { stage_cgroup = 1, stage_rlimit, stage_stdio, stage_chdir, stage_exec };

const char* stage_text(int stage) {
  switch (stage) {
    case stage_cgroup: return "cannot join the memory cgroup";
    case stage_rlimit: return "cannot set RLIMIT_AS";
    case stage_stdio: return "cannot redirect stdin/stdout/stderr";
    case stage_chdir: return "cannot change to the working folder";
    case stage_exec: return "cannot execute the command";
  }
  return "failed";
}

/// NUL-terminated pointer arrays into strings that outlive the fork.
struct c_strings {
  std::vector<std::string> storage;
  std::vector<char*> pointers;

  void finish() {
    for (auto& s : storage)
      pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
};

c_strings environment_of(const service_config& svc) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry{*e};
    auto eq = entry.find('=');
    if (eq != std::string::npos)
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  env["VIGIL_SERVICE"] = svc.name;
  if (!svc.data_dir.empty())
    env["VIGIL_DATA_DIR"] = svc.data_dir;
  for (auto& [key, value] : svc.env)
    env[key] = value;
  c_strings result;
  for (auto& [key, value] : env)
    result.storage.push_back(key + "=" + value);
  result.finish();
  return result;
}

std::string wall_clock_text() {
  auto now = std::time(nullptr);
  std::tm parts{};
  ::localtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

/// Async-signal-safe: writes `value` in decimal.
bool write_decimal(int fd, long value) {
  char digits[24];
  int n = 0;
  do {
    digits[sizeof(digits) - 1 - n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 23);
  return ::write(fd, digits + sizeof(digits) - n, static_cast<size_t>(n)) == n;
}

[[noreturn]] void child_fail(int pipe_fd, int stage) {
  int report[2] = {stage, errno};
  auto ignored = ::write(pipe_fd, report, sizeof(report));
  (void) ignored;
  ::_exit(127);
}

/// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void run_child(int pipe_fd, int log_fd, const char* procs_path, rlim_t rlimit_as,
                            const char* cwd, const char* command, char** argv, char** envp) {
  // Own session and process group: a stop reaches the whole service, and a
  // signal to the node's terminal group does not.
  ::setsid();
  // The node blocks SIGTERM and SIGINT in all threads and CAF ignores
  // SIGPIPE; an exec'd program must start with the defaults.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      ::signal(sig, SIG_DFL);
  if (procs_path) {
    int fd = ::open(procs_path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || !write_decimal(fd, ::getpid()))
      child_fail(pipe_fd, stage_cgroup);
    ::close(fd);
  }
  if (rlimit_as != 0) {
    rlimit limit{rlimit_as, rlimit_as};
    if (::setrlimit(RLIMIT_AS, &limit) != 0)
      child_fail(pipe_fd, stage_rlimit);
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0)
    child_fail(pipe_fd, stage_stdio);
  if (::chdir(cwd) != 0)
    child_fail(pipe_fd, stage_chdir);
  // Nothing of the node (its listening sockets, CAF's pipes) may leak into
  // the service: close every other descriptor at exec.
  if (::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) != 0)
    for (int fd = 3; fd < 65536; ++fd)
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::execve(command, argv, envp);
  child_fail(pipe_fd, stage_exec);
}

std::string make_dirs(const std::string& dir, const char* what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw backend_failure(std::string{"cannot create the "} + what + " " + dir + ": "
                          + ec.message());
  return dir;
}

} // namespace

exec_backend::exec_backend(const services_config& cfg) : cgroup_parent_(cfg.cgroup_parent) {
  // nop
}

std::string exec_backend::name() const {
  return "exec";
}

process_handle exec_backend::start(const service_config& svc, const std::string& log_path,
                                   exit_callback on_exit) {
  make_dirs(fs::path{log_path}.parent_path().string(), "log folder");
  if (!svc.data_dir.empty())
    make_dirs(svc.data_dir, "data folder");
  process_handle result;
  detail::memory_cgroup cgroup;
  rlim_t rlimit_as = 0;
  if (svc.memory_limit_mb > 0) {
    auto bytes = svc.memory_limit_mb * 1024 * 1024;
    cgroup = detail::prepare_memory_cgroup(cgroup_parent_, svc.name, bytes);
    if (cgroup.dir.empty()) {
      rlimit_as = static_cast<rlim_t>(bytes);
      result.limit_note = "memory limit as RLIMIT_AS (no cgroup: " + cgroup.problem
                          + "); a kernel OOM kill will not be seen";
    } else {
      result.cgroup = cgroup.dir;
      result.oom_kills_before = cgroup.oom_kills;
      result.limit_note = "memory limit by cgroup " + cgroup.dir;
    }
  }
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw backend_failure("cannot open the log " + log_path + ": " + std::strerror(errno));
  auto banner = "---- vigil: starting " + svc.name + " (" + svc.command + ") at "
                + wall_clock_text() + " ----\n";
  auto ignored = ::write(log_fd, banner.data(), banner.size());
  (void) ignored;
  c_strings argv;
  argv.storage.push_back(svc.command);
  argv.storage.insert(argv.storage.end(), svc.args.begin(), svc.args.end());
  argv.finish();
  auto envp = environment_of(svc);
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    auto err = errno;
    ::close(log_fd);
    throw backend_failure(std::string{"pipe: "} + std::strerror(err));
  }
  auto procs = cgroup.dir.empty() ? nullptr : cgroup.procs_path.c_str();
  pid_t pid = ::fork();
  if (pid == 0)
    run_child(status_pipe[1], log_fd, procs, rlimit_as, svc.cwd.c_str(), svc.command.c_str(),
              argv.pointers.data(), envp.pointers.data());
  auto fork_errno = errno;
  ::close(status_pipe[1]);
  ::close(log_fd);
  if (pid < 0) {
    ::close(status_pipe[0]);
    throw backend_failure(std::string{"fork: "} + std::strerror(fork_errno));
  }
  // EOF: exec succeeded (the pipe closed with it); else the child's report.
  int report[2] = {0, 0};
  ssize_t n;
  while ((n = ::read(status_pipe[0], report, sizeof(report))) < 0 && errno == EINTR)
    ; // retry
  ::close(status_pipe[0]);
  if (n > 0) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR)
      ; // retry
    auto where = report[0] == stage_chdir ? " " + svc.cwd
                 : report[0] == stage_exec ? " " + svc.command
                                           : "";
    throw backend_failure(std::string{stage_text(report[0])} + where + ": "
                          + std::strerror(report[1]));
  }
  result.pid = pid;
  auto stat = detail::read_proc_stat(pid);
  result.start_ticks = stat ? stat->start_ticks : 0;
  if (!detail::exit_watcher::instance().watch(pid, result.start_ticks, true,
                                              wrap(result, std::move(on_exit))))
    throw backend_failure("cannot watch pid " + std::to_string(pid) + ": "
                          + std::strerror(errno));
  return result;
}

bool exec_backend::adopt(const process_handle& process, exit_callback on_exit) {
  auto callback = wrap(process, std::move(on_exit));
  auto& watcher = detail::exit_watcher::instance();
  // Started by this node process: its watch (and maybe its end) is known.
  if (watcher.rewatch(process.pid, process.start_ticks, callback))
    return true;
  // Started by an earlier node process: watch it, without its exit status.
  if (!detail::same_process_alive(process.pid, process.start_ticks))
    return false;
  return watcher.watch(process.pid, process.start_ticks, false, callback);
}

void exec_backend::terminate(const process_handle& process) {
  signal_group(process, SIGTERM);
}

void exec_backend::kill(const process_handle& process) {
  signal_group(process, SIGKILL);
}

uint64_t exec_backend::rss_bytes(const process_handle& process) {
  if (!detail::same_process_alive(process.pid, process.start_ticks))
    return 0;
  return detail::proc_rss_bytes(process.pid);
}

process_activity exec_backend::activity(const process_handle& process) {
  auto stat = process.pid > 0 ? detail::read_proc_stat(process.pid) : std::nullopt;
  if (!stat || stat->start_ticks != process.start_ticks)
    return process_activity::none;
  return activity_of_state(stat->state);
}

exit_callback exec_backend::wrap(const process_handle& process, exit_callback on_exit) {
  return [process, on_exit](pid_t pid, const process_exit& exit) {
    auto result = exit;
    if (!process.cgroup.empty() && result.signal == SIGKILL)
      result.oom_killed = detail::oom_kill_count(process.cgroup) > process.oom_kills_before;
    // What the service left behind in its group dies with it, so that a
    // later start does not meet half of the old one. (The kernel hands out
    // the leader's pid again only after the pid space wraps around.)
    ::kill(-pid, SIGKILL);
    on_exit(pid, result);
  };
}

void exec_backend::signal_group(const process_handle& process, int sig) {
  // Never signal a stranger that got a reused pid.
  auto stat = detail::read_proc_stat(process.pid);
  if (!stat || stat->start_ticks != process.start_ticks)
    return;
  if (::kill(-process.pid, sig) != 0)
    ::kill(process.pid, sig);
}

} // namespace vigil::services
