#include "actors/agents/narrator.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/agents/postmortem_store.hpp"
#include "actors/agents/report_writer.hpp"
#include "actors/agents/webhook_client.hpp"
#include "actors/knowledge/knowledge_store.hpp"
#include "messages/incidents_json.hpp"
#include "messages/observability.hpp"
#include "messages/unix_time.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;

/// Local only: try the postmortems the ops store refused again.
using narrator_retry_atom = caf::atom_constant<caf::atom("nretry")>;

using narrator_impl = narrator_actor::extend<caf::reacts_to<narrator_retry_atom>>;

/// A postmortem written to files but not yet stored or indexed.
struct pending_postmortem {
  stored_postmortem row;
  knowledge::postmortem doc;
  bool stored = false;
  bool indexed = false;
};

struct narrator_state {
  static inline const char* name = "vigil.narrator";
  narrator_settings settings;
  std::vector<webhook_poster_actor> posters;
  std::unique_ptr<knowledge::knowledge_store> knowledge;
  std::unique_ptr<postmortem_store> postmortems;
  std::map<std::string, std::vector<std::string>> prevention; // by runbook id
  std::vector<pending_postmortem> pending;
  bool retry_scheduled = false;
};

using narrator_ptr = narrator_impl::stateful_pointer<narrator_state>;

caf::error bad_request(const std::string& why) {
  return caf::make_error(incident_error::bad_request, why);
}

/// The incident's problem with being narrated, or "" when fine.
std::string check_incident(const incident& inc) {
  if (inc.id.empty())
    return "the incident has no id";
  if (!valid_report_name(inc.id))
    return "incident id '" + inc.id.substr(0, 80) + "' is not usable as a report name";
  return "";
}

/// The runbook's prevention items; none when there is no runbook or the
/// store cannot say (a brief goes out anyway).
std::vector<std::string> prevention_of(narrator_ptr self, const incident& inc) {
  auto& st = self->state;
  auto* h = chosen_hypothesis(inc);
  if (h == nullptr || h->runbook.empty() || !st.knowledge)
    return {};
  if (auto i = st.prevention.find(h->runbook); i != st.prevention.end())
    return i->second;
  try {
    auto doc = st.knowledge->get(h->runbook);
    std::vector<std::string> items;
    auto meta = json::parse(doc.meta, nullptr, false);
    if (meta.is_object() && meta.contains("prevention") && meta["prevention"].is_array())
      for (auto& p : meta["prevention"])
        if (p.is_string())
          items.push_back(p.get<std::string>());
    st.prevention[h->runbook] = items;
    return items;
  } catch (const std::exception& e) {
    spdlog::warn("narrator: no prevention for runbook {}: {}", h->runbook, e.what());
    return {};
  }
}

void schedule_retry(narrator_ptr self) {
  auto& st = self->state;
  if (st.pending.empty() || st.retry_scheduled)
    return;
  st.retry_scheduled = true;
  self->delayed_send(self, st.settings.retry_every, narrator_retry_atom::value);
}

/// Stores and indexes what is still missing; keeps what fails for later.
void flush_pending(narrator_ptr self) {
  auto& st = self->state;
  std::vector<pending_postmortem> still;
  for (auto& p : st.pending) {
    if (!p.stored && st.postmortems) {
      try {
        st.postmortems->save(p.row);
        p.stored = true;
      } catch (const std::exception& e) {
        spdlog::warn("narrator: {} (will retry)", e.what());
      }
    }
    if (!p.indexed && st.knowledge) {
      try {
        st.knowledge->index_postmortem(p.doc);
        p.indexed = true;
      } catch (const std::exception& e) {
        spdlog::warn("narrator: cannot index the postmortem of {}: {} (will retry)",
                     p.row.incident, e.what());
      }
    }
    if (p.stored && p.indexed)
      spdlog::info("narrator: postmortem of {} stored and indexed as postmortem/{}",
                   p.row.incident, p.row.incident);
    else
      still.push_back(std::move(p));
  }
  st.pending = std::move(still);
  schedule_retry(self);
}

void write_file(const std::string& path, const std::string& text) {
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp, std::ios::trunc};
    out << text;
    out.flush();
    if (!out)
      throw std::runtime_error("cannot write " + tmp);
  }
  // Readers never see half a report.
  std::filesystem::rename(tmp, path);
}

/// Writes, stores and indexes the postmortem; answers the Markdown's path.
caf::expected<std::string> finish_postmortem(narrator_ptr self, const incident& inc,
                                           postmortem_facts facts) {
  auto& st = self->state;
  auto doc = postmortem_document(inc, facts);
  auto markdown = render_postmortem(doc);
  auto base = std::filesystem::path{st.settings.reports_dir} / inc.id;
  auto md_path = base.string() + ".md";
  try {
    std::filesystem::create_directories(st.settings.reports_dir);
    write_file(md_path, markdown);
    write_file(base.string() + ".json", doc.dump(2) + "\n");
  } catch (const std::exception& e) {
    spdlog::error("narrator: cannot write the postmortem of {}: {}", inc.id, e.what());
    return caf::make_error(incident_error::store_unavailable,
                           "cannot write the postmortem of " + inc.id + ": " + e.what());
  }
  spdlog::info("narrator: postmortem of {} ({}) written to {}", inc.id, to_string(inc.state), md_path);
  auto* h = chosen_hypothesis(inc);
  pending_postmortem p;
  p.row = {inc.id, inc.title, to_string(inc.state), h != nullptr ? h->root_cause : "", md_path, markdown,
           doc.dump()};
  p.doc.incident_id = inc.id;
  p.doc.title = "Postmortem: " + (inc.title.empty() ? inc.id : inc.title);
  p.doc.root_cause = h != nullptr ? h->root_cause : "unknown";
  std::string symptoms;
  for (auto& s : inc.symptoms)
    symptoms += s + "\n";
  for (auto& s : inc.services)
    symptoms += s + " ";
  p.doc.symptoms = symptoms;
  p.doc.body = markdown;
  p.doc.meta = json{{"incident", inc.id},
                    {"state", inc.state},
                    {"runbook", h != nullptr ? h->runbook : ""},
                    {"resolved", inc.state == incident_state::resolved},
                    {"path", md_path}}
                 .dump();
  st.pending.push_back(std::move(p));
  flush_pending(self);
  return md_path;
}

narrator_impl::behavior_type narrator_behavior(narrator_ptr self, narrator_settings settings) {
  auto& st = self->state;
  st.settings = std::move(settings);
  if (!st.settings.now_unix_ms)
    st.settings.now_unix_ms = vigil::now_unix_ms;
  if (!st.settings.ops_dsn.empty()) {
    st.knowledge = std::make_unique<knowledge::knowledge_store>(st.settings.ops_dsn);
    st.postmortems = std::make_unique<postmortem_store>(st.settings.ops_dsn);
  }
  for (auto& hook : st.settings.webhooks)
    st.posters.push_back(spawn_webhook_poster(self, hook, st.settings.webhook_timeout));
  return {
    [self](brief_atom, const incident& inc) -> caf::result<std::string> {
      if (auto why = check_incident(inc); !why.empty())
        return bad_request(why);
      auto brief = render_brief(inc, prevention_of(self, inc));
      if (!self->state.posters.empty()) {
        auto payload = webhook_payload(inc, brief).dump();
        for (auto& poster : self->state.posters)
          self->send(poster, webhook_post_atom::value, payload);
      }
      spdlog::info("narrator: brief for {} ({})", inc.id, to_string(inc.state));
      return brief;
    },
    [self](postmortem_atom, const incident& inc) -> caf::result<std::string> {
      if (auto why = check_incident(inc); !why.empty())
        return bad_request(why);
      if (!is_closed(inc.state))
        return bad_request("incident " + inc.id + " is " + to_string(inc.state)
                           + ": a postmortem needs a resolved or escalated incident");
      auto& st = self->state;
      postmortem_facts facts;
      facts.prevention = prevention_of(self, inc);
      facts.before = inc.baseline.empty() ? json::object()
                                          : json::parse(inc.baseline, nullptr, false);
      if (facts.before.is_discarded())
        facts.before = json{{"baseline", inc.baseline}};
      facts.written_unix_ms = st.settings.now_unix_ms();
      caf::actor board;
      if (st.settings.directory)
        board = st.settings.directory->get(st.settings.node_id + "/control/status");
      if (!board) {
        facts.after = json{{"status", "no status board"}};
        return finish_postmortem(self, inc, std::move(facts));
      }
      auto rp = self->make_response_promise<std::string>();
      auto finish = [self, inc, facts, rp](json after) mutable {
        facts.after = std::move(after);
        auto result = finish_postmortem(self, inc, std::move(facts));
        if (result)
          rp.deliver(std::move(*result));
        else
          rp.deliver(std::move(result.error()));
      };
      self
        ->request(caf::actor_cast<status_board_actor>(board), st.settings.status_timeout,
                  status_atom::value)
        .then([self, finish](const std::vector<service_health>& rows) mutable {
                finish(health_snapshot(rows, self->state.settings.now_unix_ms()));
              },
              [finish](caf::error& err) mutable {
                finish(json{{"status", "unavailable: " + to_string(err)}});
              });
      return rp;
    },
    [self](narrator_retry_atom) {
      self->state.retry_scheduled = false;
      flush_pending(self);
    },
  };
}

} // namespace

bool valid_report_name(const std::string& id) {
  if (id.empty() || id.size() > 200 || id.front() == '.')
    return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

narrator_settings narrator_settings_from(const agents_context& ctx) {
  narrator_settings result;
  result.node_id = ctx.node_id;
  result.reports_dir = ctx.config.reports_dir;
  result.ops_dsn = ctx.ops_dsn;
  result.webhooks = ctx.config.webhooks;
  result.directory = ctx.directory;
  auto& own = ctx.config.settings("narrator");
  if (own.is_object()) {
    if (own.contains("webhook_timeout_ms") && own["webhook_timeout_ms"].is_number_unsigned())
      result.webhook_timeout = std::chrono::milliseconds{own["webhook_timeout_ms"].get<uint64_t>()};
    if (own.contains("status_timeout_ms") && own["status_timeout_ms"].is_number_unsigned())
      result.status_timeout = std::chrono::milliseconds{own["status_timeout_ms"].get<uint64_t>()};
  }
  return result;
}

narrator_actor spawn_narrator(caf::actor_system& sys, narrator_settings settings) {
  return sys.spawn<caf::detached>(narrator_behavior, std::move(settings));
}

supervision::child_spec narrator_child(narrator_settings settings) {
  supervision::child_spec spec;
  spec.id = "narrator";
  // A postmortem in progress may wait for the ops store's connect timeout.
  spec.shutdown = supervision::shutdown_policy::after(std::chrono::seconds(5));
  spec.start = [settings](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_narrator(sup->home_system(), settings));
  };
  return spec;
}

} // namespace vigil::agents
