// The end of every command: the reply rendered (text, or one JSON document
// for scripts) or its error on stderr, and the exit code.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "vigilctl/client.hpp"

namespace vigilctl {

/// `render(value)` prints text when `as_json` is false and returns the JSON
/// document to print when it is true. 0 on success, 1 on error.
template <class T, class Render>
int finish(const reply<T>& r, bool as_json, std::ostream& out, std::ostream& err,
           Render render) {
  if (!r) {
    if (as_json)
      err << nlohmann::json{{"error", r.error()}}.dump() << "\n";
    else
      err << "vigilctl: " << r.error() << "\n";
    return 1;
  }
  if (as_json)
    out << render(*r).dump(2) << "\n";
  else
    render(*r);
  return 0;
}

} // namespace vigilctl
