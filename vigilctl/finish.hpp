// The end of every command: the reply rendered (text, or one JSON document
// for scripts) or its error on stderr, and the exit code.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "vigilctl/client.hpp"
#include "vigilctl/render.hpp"

namespace vigilctl {

/// `render(value)` prints text when `as_json` is false and returns the JSON
/// document to print when it is true. 0 on success, 1 on error.
template <class T, class Render>
int finish(const reply<T>& r, bool as_json, std::ostream& out, std::ostream& err,
           Render render) {
  if (!r)
    return fail(err, r.error(), as_json);
  if (as_json)
    print_json(out, render(*r));
  else
    render(*r);
  return 0;
}

} // namespace vigilctl
