#include "actors/knowledge/knowledge_actor.hpp"

#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/knowledge/knowledge_store.hpp"
#include "actors/knowledge/library.hpp"

namespace vigil::knowledge {

namespace {

struct knowledge_state {
  static inline const char* name = "vigil.knowledge";
  knowledge_settings settings;
  std::unique_ptr<knowledge_store> store;
  std::optional<caf::actor_clock::time_point> synced_at;
  std::vector<std::string> last_errors; // logged again only when they change
  std::string last_store_error;
};

using knowledge_ptr = knowledge_actor::stateful_pointer<knowledge_state>;

/// Loads the folders and syncs the index, unless that happened recently.
/// Failures are logged, not raised: a search still answers from what the
/// store holds.
void refresh(knowledge_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (st.synced_at && now - *st.synced_at < st.settings.rescan_after)
    return;
  auto lib = load_library(st.settings.folders);
  if (lib.errors != st.last_errors) {
    for (auto& e : lib.errors)
      spdlog::warn("knowledge: skipped {}", e);
    st.last_errors = lib.errors;
  }
  try {
    auto report = st.store->sync(lib);
    st.synced_at = now;
    if (report.written > 0 || report.removed > 0 || !st.last_store_error.empty())
      spdlog::info("knowledge: indexed {} documents ({} written, {} removed, {} skipped)",
                   lib.entries.size(), report.written, report.removed, lib.errors.size());
    st.last_store_error.clear();
  } catch (const knowledge_error& e) {
    if (e.what() != st.last_store_error)
      spdlog::warn("knowledge: cannot index the knowledge folders: {}", e.what());
    st.last_store_error = e.what();
  }
}

template <class F>
auto answer(F&& f) -> caf::result<decltype(f())> {
  try {
    return f();
  } catch (const knowledge_error& e) {
    return caf::make_error(e.code(), e.what());
  }
}

knowledge_actor::behavior_type knowledge_behavior(knowledge_ptr self,
                                                  knowledge_settings settings) {
  self->state.settings = std::move(settings);
  self->state.store = std::make_unique<knowledge_store>(self->state.settings.dsn);
  refresh(self);
  return {
    [self](search_atom, const std::string& text,
           uint32_t limit) -> caf::result<std::vector<knowledge_hit>> {
      refresh(self);
      return answer([&] { return self->state.store->search(text, limit); });
    },
    [self](runbook_atom, const std::string& id) -> caf::result<knowledge_doc> {
      refresh(self);
      return answer([&] { return self->state.store->get(id); });
    },
  };
}

} // namespace

knowledge_actor spawn_knowledge_actor(caf::actor_system& sys, knowledge_settings settings) {
  return sys.spawn<caf::detached>(knowledge_behavior, std::move(settings));
}

supervision::child_spec knowledge_actor_child(knowledge_settings settings) {
  supervision::child_spec spec;
  spec.id = "knowledge";
  // A request may be waiting for the ops store's connect timeout (3 s).
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(5));
  spec.start = [settings](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_knowledge_actor(sup->home_system(), settings));
  };
  return spec;
}

} // namespace vigil::knowledge
