#include "nodes/node_metrics.hpp"

#include <chrono>
#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include "messages/actor_paths.hpp"

namespace vigil {

namespace {

using metrics::kind;
using metrics::labels;
using series = std::map<labels, double>;

constexpr const char* restarts_family = "vigil_supervisor_restarts_total";
constexpr const char* status_family = "vigil_supervisor_child_status";
constexpr const char* last_exit_family = "vigil_supervisor_last_exit_timestamp_seconds";
constexpr const char* delay_family = "vigil_actor_mailbox_delay_seconds";
constexpr const char* responsive_family = "vigil_actor_responsive";
constexpr const char* cluster_family = "vigil_cluster_node_up";
constexpr const char* errors_family = "vigil_metrics_collect_errors_total";
constexpr const char* duration_family = "vigil_metrics_collect_duration_seconds";

/// Every status a supervisor reports (supervision/supervisor.cpp): one series
/// each, 1 for the current one, so a status that ends shows up as 0.
const std::vector<std::string>& child_statuses() {
  static const std::vector<std::string> statuses{"running", "restarting", "stopping", "stopped"};
  return statuses;
}

void walk_tree(const std::string& node, const tree_node& t, series& restarts, series& status,
               series& last_exit) {
  restarts[{{"node", node}, {"path", t.path}}] = t.restarts;
  bool known = false;
  for (auto& s : child_statuses()) {
    known = known || s == t.status;
    status[{{"node", node}, {"path", t.path}, {"status", s}}] = s == t.status ? 1 : 0;
  }
  if (!known)
    status[{{"node", node}, {"path", t.path}, {"status", t.status}}] = 1;
  if (t.last_exit_unix_ms > 0)
    last_exit[{{"node", node}, {"path", t.path}}] = static_cast<double>(t.last_exit_unix_ms) / 1000;
  for (auto& child : t.children)
    walk_tree(node, child, restarts, status, last_exit);
}

/// One scrape's asks and answers; lives in the scrape actor's handlers only.
struct scrape {
  node_context_ptr ctx;
  metrics::registry* reg;
  std::function<void()> done;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  size_t open = 0;
  series delays;
  series responsive;

  void error(const std::string& source) {
    reg->add(errors_family, {{"node", ctx->config.id}, {"source", source}});
  }

  void finish_one(caf::event_based_actor* self) {
    if (--open > 0)
      return;
    auto& id = ctx->config.id;
    reg->replace(delay_family, {{"node", id}}, delays);
    reg->replace(responsive_family, {{"node", id}}, responsive);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    reg->set(duration_family, {{"node", id}}, took.count());
    done();
    self->quit();
  }
};

void ask_tree(caf::event_based_actor* self, std::shared_ptr<scrape> s, caf::timespan timeout) {
  auto& ctx = *s->ctx;
  auto root = caf::actor_cast<supervisor_actor>(ctx.directory->get(ctx.config.id));
  if (!root) {
    s->error("tree");
    s->finish_one(self);
    return;
  }
  self->request(root, timeout, which_atom::value)
    .then(
      [self, s](tree_node& tree) {
        set_tree_metrics(*s->reg, s->ctx->config.id, tree);
        s->finish_one(self);
      },
      [self, s](caf::error&) {
        // Keep the last tree's series: stale for a moment beats a gap.
        s->error("tree");
        s->finish_one(self);
      });
}

void ask_cluster(caf::event_based_actor* self, std::shared_ptr<scrape> s, caf::timespan timeout) {
  auto& ctx = *s->ctx;
  auto registry = caf::actor_cast<registry_actor>(ctx.directory->get(ctx.path(actor_paths::registry)));
  if (!registry) {
    s->error("cluster");
    s->finish_one(self);
    return;
  }
  self->request(registry, timeout, nodes_atom::value)
    .then(
      [self, s](std::vector<node_info>& nodes) {
        set_cluster_metrics(*s->reg, nodes);
        s->finish_one(self);
      },
      [self, s](caf::error&) {
        s->error("cluster");
        s->finish_one(self);
      });
}

// CAF 0.17 offers no safe way to read another actor's mailbox size:
// mailbox().size() moves messages between the mailbox's internal queues and
// may only run on the actor's own thread. Every scheduled actor answers
// (sys, get, "info") itself, in mailbox order, without running its behavior;
// the round trip is the time a message waits before the actor looks at it.
void ask_mailbox(caf::event_based_actor* self, std::shared_ptr<scrape> s, caf::timespan timeout,
                 const std::string& name, const caf::actor& actor) {
  auto sent = std::chrono::steady_clock::now();
  labels l{{"node", s->ctx->config.id}, {"actor", name}};
  self->request(actor, timeout, caf::sys_atom::value, caf::get_atom::value, std::string{"info"})
    .then(
      [self, s, sent, l](caf::ok_atom, std::string&, caf::strong_actor_ptr&, std::string&) {
        std::chrono::duration<double> delay = std::chrono::steady_clock::now() - sent;
        s->delays[l] = delay.count();
        s->responsive[l] = 1;
        s->finish_one(self);
      },
      [self, s, l](caf::error& err) {
        // A timeout is a busy or hung actor; other errors mean it is gone
        // (exited, about to be restarted): no series for it this time.
        if (err == caf::sec::request_timeout)
          s->responsive[l] = 0;
        s->finish_one(self);
      });
}

} // namespace

void describe_node_metrics(metrics::registry& reg, const node_context& ctx) {
  reg.describe("vigil_node_info", kind::gauge, "Always 1; labels say which node and its roles.");
  reg.describe("vigil_node_start_time_seconds", kind::gauge,
               "Unix time the node process started.");
  reg.describe(restarts_family, kind::counter,
               "Restarts of a supervised actor, by supervision path (resets when its "
               "supervisor restarts).");
  reg.describe(status_family, kind::gauge,
               "1 for the current status of a supervised actor (running, restarting, "
               "stopping, stopped), else 0.");
  reg.describe(last_exit_family, kind::gauge, "Unix time a supervised actor last exited.");
  reg.describe(delay_family, kind::gauge,
               "How long a message waited in the actor's mailbox before it was looked at "
               "(round trip of a system info request).");
  reg.describe(responsive_family, kind::gauge,
               "1 when the actor answered a system info request within the scrape's ask "
               "timeout, 0 when it did not.");
  reg.describe(cluster_family, kind::gauge,
               "Control nodes: 1 when the cluster registry sees the node up, 0 when down.");
  reg.describe(errors_family, kind::counter,
               "Scrape-time asks that failed (source: tree, cluster).");
  reg.describe(duration_family, kind::gauge, "How long the last scrape's asks took.");
  auto& cfg = ctx.config;
  std::string roles;
  for (auto& role : cfg.roles)
    roles += (roles.empty() ? "" : ",") + role;
  reg.set("vigil_node_info", {{"node", cfg.id}, {"roles", roles}}, 1);
  reg.set("vigil_node_start_time_seconds", {{"node", cfg.id}},
          static_cast<double>(ctx.started_unix_ms) / 1000);
}

void set_tree_metrics(metrics::registry& reg, const std::string& node, const tree_node& root) {
  series restarts;
  series status;
  series last_exit;
  walk_tree(node, root, restarts, status, last_exit);
  reg.replace(restarts_family, {{"node", node}}, restarts);
  reg.replace(status_family, {{"node", node}}, status);
  reg.replace(last_exit_family, {{"node", node}}, last_exit);
}

void set_cluster_metrics(metrics::registry& reg, const std::vector<node_info>& nodes) {
  series up;
  for (auto& n : nodes)
    up[{{"node", n.id}}] = n.status == "up" ? 1 : 0;
  reg.replace(cluster_family, {}, up);
}

void collect_node_metrics(caf::actor_system& sys, node_context_ptr ctx, metrics::registry& reg,
                          caf::timespan timeout, std::function<void()> done) {
  sys.spawn([ctx, &reg, timeout, done](caf::event_based_actor* self) {
    auto s = std::make_shared<scrape>();
    s->ctx = ctx;
    s->reg = &reg;
    s->done = done;
    auto actors = ctx->directory->entries();
    bool control = ctx->config.has_role("control");
    // Counted before any ask goes out: no answer can close the scrape early.
    s->open = 1 + actors.size() + (control ? 1 : 0);
    ask_tree(self, s, timeout);
    if (control)
      ask_cluster(self, s, timeout);
    for (auto& [name, actor] : actors)
      ask_mailbox(self, s, timeout, name, actor);
  });
}

} // namespace vigil
