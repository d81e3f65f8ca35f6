// A blocking request for tool runs: they run on their own threads (detached
// tool actors), so waiting here holds up no other actor.
#pragma once

#include <string>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/actions/tool.hpp"

namespace vigil::actions::detail {

/// Sends `xs` to `h` and waits at most `timeout` for the reply; throws
/// tool_failure naming `what` and the error.
template <class Reply, class Handle, class... Ts>
Reply blocking_ask(caf::actor_system& sys, const Handle& h, caf::timespan timeout,
                   const std::string& what, Ts... xs) {
  if (!h)
    throw tool_failure(what + ": no actor to ask");
  caf::scoped_actor self{sys};
  Reply result{};
  caf::error failure;
  self->request(h, timeout, xs...)
    .receive([&](Reply& r) { result = std::move(r); }, [&](caf::error& e) { failure = e; });
  if (failure)
    throw tool_failure(what + ": " + sys.render(failure));
  return result;
}

} // namespace vigil::actions::detail
