// Reading a secret file (a password) for a probe that logs in as the app:
// a file that cannot be read is a finding of its own (its errno), not an
// empty password that the server then rejects.
#pragma once

#include <string>

namespace vigil::probes::detail {

struct secret_read {
  std::string value; ///< The file's text without trailing blanks and newlines.
  int error = 0;     ///< errno of the failed open or read; 0 when read.
};

secret_read read_secret_file(const std::string& path);

} // namespace vigil::probes::detail
