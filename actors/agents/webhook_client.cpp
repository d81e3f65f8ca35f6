#include "actors/agents/webhook_client.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/spawn_options.hpp>
#include <spdlog/spdlog.h>

#include "http/client.hpp"

namespace vigil::agents {

std::string post_webhook(const webhook_config& hook, const std::string& payload,
                         std::chrono::milliseconds timeout) {
  try {
    auto response = http::fetch("POST", hook.url, payload,
                                {{"content-type", "application/json"}}, timeout);
    if (response.status >= 200 && response.status < 300)
      return "";
    return "answered HTTP " + std::to_string(response.status) + ": "
           + response.body.substr(0, 200);
  } catch (const http::client_error& e) {
    return e.what();
  }
}

namespace {

webhook_poster_actor::behavior_type webhook_poster(webhook_config hook,
                                                   std::chrono::milliseconds timeout) {
  return {
    [hook, timeout](webhook_post_atom, const std::string& payload) {
      auto why = post_webhook(hook, payload, timeout);
      if (why.empty())
        spdlog::debug("narrator: posted to webhook {}", hook.name);
      else
        spdlog::warn("narrator: webhook {} ({}) failed: {}", hook.name, hook.url, why);
    },
  };
}

} // namespace

webhook_poster_actor spawn_webhook_poster(caf::local_actor* parent, webhook_config hook,
                                std::chrono::milliseconds timeout) {
  return parent->spawn<caf::detached + caf::linked>(webhook_poster, std::move(hook), timeout);
}

} // namespace vigil::agents
