// free_disk: frees space on a named volume by policy, the fix for a full
// data volume (chaos `disk_full`, a runaway file by hand): files outside the
// kept folders, largest first, are truncated (so a writer that still holds
// one open frees its space too) and removed, until the free space target is
// met. Receipts are never touched, nor a file reached through a symlink, on
// another device or with more than one link.
// Settings: {"volumes": {"shopd-data": {"path", "keep": ["receipts"],
//            "min_free_mb": 16, "min_file_kb": 64}}}.
#include "actors/actions/tools/tools.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "actors/actions/tools/tool_args.hpp"

namespace vigil::actions {

namespace {

namespace fs = std::filesystem;

struct volume_policy {
  std::string path;                    ///< Resolved.
  std::vector<std::string> keep;       ///< Folders (relative to path) never touched.
  int64_t min_free_mb = 16;            ///< The free space target.
  int64_t min_file_kb = 64;            ///< Smaller files are not worth touching.
};

uint64_t free_bytes(const std::string& path) {
  struct statvfs fs {};
  if (::statvfs(path.c_str(), &fs) != 0)
    throw tool_failure("statvfs " + path + " failed");
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

/// The volume's device: a file on another device (a mount inside the
/// volume) is not the volume's to free.
dev_t device_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw tool_failure("stat " + path + " failed");
  return st.st_dev;
}

/// Truncates and removes one file, only when it is what it was when listed:
/// opened without following a symlink, a regular file on the volume's own
/// device with a single link (a hard link would free nothing and could be
/// data elsewhere). Returns why it was left alone, empty when freed.
std::string truncate_and_remove(const fs::path& path, dev_t device) {
  int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return std::string{"not opened: "} + std::strerror(errno);
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0)
    why = std::string{"fstat: "} + std::strerror(errno);
  else if (!S_ISREG(st.st_mode))
    why = "not a regular file";
  else if (st.st_dev != device)
    why = "on another device";
  else if (st.st_nlink != 1)
    why = std::to_string(st.st_nlink) + " links";
  // Truncate first: a process that keeps the file open would otherwise
  // keep its blocks after the unlink.
  else if (::ftruncate(fd, 0) != 0)
    why = std::string{"ftruncate: "} + std::strerror(errno);
  ::close(fd);
  if (!why.empty())
    return why;
  std::error_code ec;
  fs::remove(path, ec);
  return {};
}

bool kept(const fs::path& relative, const std::vector<std::string>& keep) {
  auto r = relative.generic_string();
  for (auto k : keep) {
    while (!k.empty() && k.back() == '/')
      k.pop_back();
    if (r == k || r.compare(0, k.size() + 1, k + "/") == 0)
      return true;
  }
  return false;
}

class free_disk : public tool {
public:
  explicit free_disk(const actions_config& cfg) {
    auto& s = cfg.settings("free_disk");
    auto i = s.find("volumes");
    if (i == s.end() || !i->is_object())
      return;
    for (auto& [name, v] : i->items()) {
      if (!v.is_object() || !v.contains("path") || !v["path"].is_string())
        continue;
      volume_policy p;
      p.path = cfg.resolve(v["path"].get<std::string>());
      if (v.contains("keep") && v["keep"].is_array())
        for (auto& k : v["keep"])
          if (k.is_string())
            p.keep.push_back(k.get<std::string>());
      if (v.contains("min_free_mb") && v["min_free_mb"].is_number_unsigned())
        p.min_free_mb = v["min_free_mb"].get<int64_t>();
      if (v.contains("min_file_kb") && v["min_file_kb"].is_number_unsigned())
        p.min_file_kb = v["min_file_kb"].get<int64_t>();
      volumes_.emplace(name, p);
    }
  }

  tool_info info() const override {
    return {"free_disk", "high",
            "Frees space on a volume: truncates and removes the largest files outside its kept "
            "folders (never the receipts) until the free space target is met.",
            "volume: a configured volume name (e.g. shopd-data); min_free_mb: target (default "
            "from the settings, 1..1048576)"};
  }

  nlohmann::json validate(const nlohmann::json& args) const override {
    tool_args a{args, {"volume", "min_free_mb"}};
    auto name = a.text("volume", "");
    auto v = volumes_.find(name);
    if (v == volumes_.end()) {
      std::string list;
      for (auto& [known, p] : volumes_)
        list += (list.empty() ? "" : ", ") + known;
      throw bad_args("argument 'volume': '" + name + "' is not a configured volume ("
                     + (list.empty() ? "none" : list) + ")");
    }
    return {{"volume", name},
            {"min_free_mb", a.integer("min_free_mb", 1, 1048576, v->second.min_free_mb)}};
  }

  tool_outcome run(const nlohmann::json& args, tool_env&) override {
    auto name = args.at("volume").get<std::string>();
    auto& policy = volumes_.at(name);
    auto target = static_cast<uint64_t>(args.at("min_free_mb").get<int64_t>()) * 1024 * 1024;
    auto before = free_bytes(policy.path);
    tool_outcome out;
    out.output = {{"volume", name}, {"path", policy.path}, {"free_before", before},
                  {"target_free", target}};
    if (before >= target) {
      out.output.update({{"free_after", before}, {"freed", 0}, {"changed", false}, {"files", nlohmann::json::array()}});
      out.detail = name + " has " + std::to_string(before / (1024 * 1024)) + " MiB free (target "
                   + std::to_string(target / (1024 * 1024)) + " MiB); nothing changed";
      return out;
    }
    auto device = device_of(policy.path);
    // Candidates, largest first; nothing under a kept folder, no links.
    std::vector<std::pair<uint64_t, fs::path>> candidates;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator{policy.path, fs::directory_options::skip_permission_denied, ec};
         it != fs::recursive_directory_iterator{}; it.increment(ec)) {
      if (ec)
        break;
      auto relative = it->path().lexically_relative(policy.path);
      if (kept(relative, policy.keep)) {
        if (it->is_directory(ec) && !it->is_symlink(ec))
          it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec) || it->is_symlink(ec))
        continue;
      auto size = it->file_size(ec);
      if (!ec && size >= static_cast<uint64_t>(policy.min_file_kb) * 1024)
        candidates.emplace_back(size, it->path());
    }
    std::sort(candidates.begin(), candidates.end(), std::greater<>{});
    auto files = nlohmann::json::array();
    auto free_now = before;
    for (auto& [size, path] : candidates) {
      if (free_now >= target)
        break;
      auto left_alone = truncate_and_remove(path, device);
      auto entry = nlohmann::json{{"path", path.lexically_relative(policy.path).string()},
                                  {"bytes", size}, {"truncated", left_alone.empty()},
                                  {"removed", left_alone.empty()}};
      if (!left_alone.empty())
        entry["left_alone"] = left_alone;
      files.push_back(std::move(entry));
      free_now = free_bytes(policy.path);
    }
    out.output.update({{"free_after", free_now}, {"freed", free_now > before ? free_now - before : 0},
                       {"changed", std::any_of(files.begin(), files.end(),
                                               [](auto& f) { return f.value("removed", false); })},
                       {"files", files}});
    auto mib = [](uint64_t b) { return std::to_string(b / (1024 * 1024)) + " MiB"; };
    auto summary = "freed " + mib(free_now > before ? free_now - before : 0) + " on " + name + " ("
                   + std::to_string(files.size()) + " files truncated and removed, largest first); "
                   + mib(free_now) + " free now, target " + mib(target);
    if (free_now < target) {
      out.status = "failed";
      out.detail = summary + ": the rest is kept data (" + (policy.keep.empty() ? std::string{"-"}
                                                                                 : policy.keep.front())
                   + "...) or small files; the volume needs more space";
    } else {
      out.detail = summary;
    }
    return out;
  }

private:
  std::map<std::string, volume_policy> volumes_;
};

} // namespace

tool_ptr make_free_disk(const actions_config& cfg) {
  return std::make_unique<free_disk>(cfg);
}

} // namespace vigil::actions
