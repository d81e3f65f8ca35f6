#include "actors/probes/detail/secret_file.hpp"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace vigil::probes::detail {

secret_read read_secret_file(const std::string& path) {
  secret_read result;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    result.error = errno;
    return result;
  }
  char buf[4096];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      result.error = errno;
      break;
    }
    if (n == 0 || result.value.size() > 65536)
      break;
    result.value.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto& text = result.value;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return result;
}

} // namespace vigil::probes::detail
