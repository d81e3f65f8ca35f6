// Posting to chat webhooks (Slack-compatible incoming webhooks: POST a JSON
// document with a "text" field). Each webhook gets its own detached poster,
// so a slow or dead chat service delays only its own messages, never the
// narrator or the other webhooks.
#pragma once

#include <chrono>
#include <string>

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <caf/fwd.hpp>

#include "config/agents_config.hpp"

namespace vigil::agents {

/// Local only (never crosses nodes): (webhook_post_atom, payload JSON text).
using webhook_post_atom = caf::atom_constant<caf::atom("whpost")>;

/// One webhook's poster.
using webhook_poster_actor = caf::typed_actor<caf::reacts_to<webhook_post_atom, std::string>>;

/// Posts `payload` to `hook` once and waits at most `timeout`. Returns ""
/// when the webhook answered 2xx, otherwise why not (in words).
std::string post_webhook(const webhook_config& hook, const std::string& payload,
                         std::chrono::milliseconds timeout);

/// A detached actor linked to `parent` that posts each payload it receives
/// to `hook` in turn, logging failures (a failed post is not retried: a
/// brief is only worth sending while it is current).
webhook_poster_actor spawn_webhook_poster(caf::local_actor* parent, webhook_config hook,
                                std::chrono::milliseconds timeout);

} // namespace vigil::agents
