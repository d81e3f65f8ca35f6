#include "actors/services/config_history.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::services {

namespace {

namespace fs = std::filesystem;

/// A copy of a file that did not exist holds this marker file instead.
constexpr const char* missing_suffix = ".missing";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Writes `text` next to `path`, fsyncs and renames it over `path`. With
/// `owner`, the new file gets that owner too (a service running as another
/// user must still read its config).
void write_atomically(const std::string& path, const std::string& text, mode_t mode,
                      const struct stat* owner = nullptr) {
  auto tmp = path + ".vigil-tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    throw std::runtime_error("cannot write " + tmp);
  auto ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())
            && ::fchmod(fd, mode) == 0
            && (owner == nullptr || ::fchown(fd, owner->st_uid, owner->st_gid) == 0)
            && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot replace " + path);
  }
}

} // namespace

config_history::config_history(std::string root) : root_(std::move(root)) {
  // nop
}

std::string config_history::dir(const std::string& service, const std::string& which) const {
  return (fs::path{root_} / service / which).string();
}

std::string config_history::record_launch(const std::string& service,
                                          const std::vector<std::string>& files) {
  std::error_code ec;
  auto launch = dir(service, "launch");
  fs::remove_all(launch, ec);
  fs::create_directories(launch, ec);
  if (ec)
    return "cannot create " + launch + ": " + ec.message();
  for (size_t i = 0; i < files.size(); ++i) {
    auto copy = launch + "/" + std::to_string(i);
    auto text = read_file(files[i]);
    try {
      if (text)
        write_atomically(copy, *text, 0600);
      else
        write_atomically(copy + missing_suffix, "", 0600);
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  return {};
}

std::string config_history::promote(const std::string& service) {
  std::error_code ec;
  auto launch = dir(service, "launch");
  auto good = dir(service, "good");
  if (!fs::exists(launch))
    return "no launch copy of " + service;
  fs::remove_all(good, ec);
  fs::rename(launch, good, ec);
  return ec ? "cannot promote " + launch + ": " + ec.message() : std::string{};
}

std::optional<bool> config_history::changed(const std::string& service,
                                            const std::vector<std::string>& files) const {
  auto good = dir(service, "good");
  if (files.empty() || !fs::exists(good))
    return std::nullopt;
  for (size_t i = 0; i < files.size(); ++i) {
    auto copy = good + "/" + std::to_string(i);
    auto live = read_file(files[i]);
    if (fs::exists(copy + missing_suffix)) {
      if (live)
        return true;
      continue;
    }
    auto kept = read_file(copy);
    if (!kept || !live || *kept != *live)
      return true;
  }
  return false;
}

std::string config_history::restore(const std::string& service,
                                    const std::vector<std::string>& files) {
  auto good = dir(service, "good");
  if (files.empty())
    throw std::runtime_error(service + " has no config_files in the services file");
  if (!fs::exists(good))
    throw std::runtime_error("no known good config of " + service
                             + " (no start of it has proved healthy yet)");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count();
  auto replaced = (fs::path{root_} / service / ("replaced-" + std::to_string(ms))).string();
  std::error_code ec;
  fs::create_directories(replaced, ec);
  std::string done;
  for (size_t i = 0; i < files.size(); ++i) {
    auto copy = good + "/" + std::to_string(i);
    auto live = read_file(files[i]);
    if (fs::exists(copy + missing_suffix))
      continue; // it did not exist in the good start either: leave it be
    auto kept = read_file(copy);
    if (!kept)
      throw std::runtime_error("the known good copy " + copy + " is unreadable");
    if (live && *live == *kept)
      continue;
    struct stat st {};
    bool exists = ::stat(files[i].c_str(), &st) == 0;
    mode_t mode = exists ? (st.st_mode & 07777) : 0644;
    if (live)
      write_atomically(replaced + "/" + std::to_string(i), *live, 0600);
    write_atomically(files[i], *kept, mode, exists ? &st : nullptr);
    done += (done.empty() ? "" : ", ") + files[i];
  }
  if (done.empty())
    return "the config files of " + service + " already are the last known good ones";
  return "put back the last known good " + done + " (the replaced files are kept in "
         + replaced + ")";
}

} // namespace vigil::services
