// The supervisor's state machine. Everything here runs inside the supervisor
// actor; time comes from the actor clock so tests drive it with virtual time.
#include "supervision/supervisor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <random>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "supervision/backoff.hpp"
#include "supervision/restart_intensity.hpp"
#include "messages/unix_time.hpp"

namespace vigil::supervision {

namespace {

/// Private messages the supervisor sends itself.
using restart_atom = caf::atom_constant<caf::atom("sv_restart")>;
using kill_late_atom = caf::atom_constant<caf::atom("sv_kill")>;

struct child_state {
  child_spec spec;
  std::string path;
  caf::actor handle; // invalid while not running
  std::string status = "stopped";
  uint32_t restarts = 0;
  std::string last_exit_reason;
  int64_t last_exit_unix_ms = 0;
  caf::actor_clock::time_point started_at;
  uint32_t backoff_streak = 0;
  /// Why we are about to stop it ourselves, shown as its exit reason.
  std::string status_reason_hint;
};

struct supervisor_state {
  static inline const char* name = "vigil.supervisor";

  supervisor_spec spec;
  std::deque<child_state> children; // in start order
  /// Children still alive; killed with us if we die without stopping them.
  std::shared_ptr<std::set<caf::actor_addr>> live_children
    = std::make_shared<std::set<caf::actor_addr>>();
  std::unique_ptr<restart_intensity> intensity;
  std::mt19937_64 rng;
  uint64_t next_pool_id = 1;
  bool terminating = false;
  // The running stop sequence: paths to stop one by one, then `after_stop`.
  std::deque<std::string> stop_queue;
  std::function<void()> after_stop;
  // Bumped by every group restart (one_for_all, rest_for_one): a delayed
  // batch from before is superseded by the newer one, which covers it.
  uint64_t group_epoch = 0;
  // Children a group restart (one_for_all, rest_for_one) is stopping.
  std::vector<std::string> restarting_group;
  // Children that failed while a group restart ran; handled after it.
  std::vector<std::pair<std::string, caf::error>> deferred_failures;
};

using self_ptr = caf::stateful_actor<supervisor_state>*;

class supervisor_impl {
public:
  explicit supervisor_impl(self_ptr self) : self_(self) {
    // nop
  }

  supervisor_state& st() { return self_->state; }

  child_state* find(const std::string& path) {
    for (auto& c : st().children)
      if (c.path == path)
        return &c;
    return nullptr;
  }

  child_state* find(const caf::actor_addr& addr) {
    for (auto& c : st().children)
      if (c.handle && c.handle.address() == addr)
        return &c;
    return nullptr;
  }

  std::string render(const caf::error& reason) {
    return reason ? self_->home_system().render(reason) : "normal";
  }

  bool is_pool() const {
    return self_->state.spec.restart_strategy == strategy::simple_one_for_one;
  }

  // -- starting ---------------------------------------------------------------

  /// Starts one child; false when its start function failed.
  bool start(child_state& c) {
    caf::actor handle;
    try {
      handle = c.spec.start(self_, c.path);
    } catch (const std::exception& e) {
      c.last_exit_reason = std::string{"start failed: "} + e.what();
    }
    if (!handle) {
      if (c.last_exit_reason.rfind("start failed", 0) != 0)
        c.last_exit_reason = "start failed";
      c.last_exit_unix_ms = now_unix_ms();
      c.status = "stopped";
      return false;
    }
    c.handle = handle;
    c.status = "running";
    c.started_at = self_->clock().now();
    // Monitored, not linked: CAF drops a link when the child receives our
    // exit request, and we must still see the child go.
    self_->monitor(handle);
    st().live_children->insert(handle.address());
    if (st().spec.directory)
      st().spec.directory->put(c.path, handle);
    return true;
  }

  void init() {
    auto& s = st();
    s.intensity = std::make_unique<restart_intensity>(s.spec.intensity, s.spec.period);
    s.rng.seed(s.spec.seed ? *s.spec.seed : std::random_device{}());
    if (is_pool())
      return; // children come through add_child
    for (auto& spec : s.spec.children) {
      auto& c = s.children.emplace_back();
      c.spec = spec;
      c.path = s.spec.name + "/" + spec.id;
      if (!start(c)) {
        terminate(caf::make_error(supervision_error::child_start_failed,
                                  c.path + " (" + c.last_exit_reason + ")"));
        return;
      }
    }
  }

  // -- stopping ---------------------------------------------------------------

  /// Stops the children at `paths` one after another, then runs `then`.
  void stop_in_order(std::deque<std::string> paths, std::function<void()> then) {
    st().stop_queue = std::move(paths);
    st().after_stop = std::move(then);
    stop_next();
  }

  void stop_next() {
    auto& s = st();
    while (!s.stop_queue.empty()) {
      auto* c = find(s.stop_queue.front());
      if (c == nullptr || !c->handle) {
        s.stop_queue.pop_front();
        continue;
      }
      if (c->status != "stopping")
        send_stop(*c);
      return; // wait for its exit
    }
    if (auto then = std::move(s.after_stop)) {
      s.after_stop = nullptr;
      then();
      handle_deferred();
    }
  }

  void send_stop(child_state& c) {
    c.status = "stopping";
    switch (c.spec.shutdown.mode) {
      case shutdown_policy::kind::brutal_kill:
        self_->send_exit(c.handle, caf::exit_reason::kill);
        break;
      case shutdown_policy::kind::timeout:
        self_->send_exit(c.handle, caf::exit_reason::user_shutdown);
        self_->delayed_send(self_, c.spec.shutdown.timeout,
                            kill_late_atom::value, c.path, c.handle.address());
        break;
      case shutdown_policy::kind::infinity:
        self_->send_exit(c.handle, caf::exit_reason::user_shutdown);
        break;
    }
  }

  /// A child that ignored user_shutdown for its whole timeout gets killed.
  void kill_late(const std::string& path, const caf::actor_addr& addr) {
    auto* c = find(path);
    if (c != nullptr && c->handle && c->handle.address() == addr
        && c->status == "stopping")
      self_->send_exit(c->handle, caf::exit_reason::kill);
  }

  std::deque<std::string> running_in_reverse(size_t from = 0) {
    std::deque<std::string> result;
    for (size_t i = st().children.size(); i > from; --i)
      result.push_back(st().children[i - 1].path);
    return result;
  }

  /// Stops every child in reverse start order, then exits with `reason`.
  void terminate(caf::error reason) {
    st().terminating = true;
    stop_in_order(running_in_reverse(), [this, reason] {
      forget_all();
      self_->quit(reason);
    });
  }

  void forget_all() {
    if (!st().spec.directory)
      return;
    for (auto& c : st().children)
      if (c.handle)
        st().spec.directory->erase(c.path, c.handle);
  }

  // -- exits ------------------------------------------------------------------

  /// An exit request from our parent: stop the children, then exit.
  void on_exit(caf::exit_msg& msg) {
    if (msg.reason && !st().terminating)
      terminate(msg.reason);
  }

  void on_down(caf::down_msg& msg) {
    st().live_children->erase(msg.source);
    auto* c = find(msg.source);
    if (c == nullptr)
      return;
    if (st().spec.directory)
      st().spec.directory->erase(c->path, c->handle);
    c->handle = nullptr;
    c->last_exit_unix_ms = now_unix_ms();
    c->last_exit_reason = render(msg.reason);
    if (!c->status_reason_hint.empty()) {
      c->last_exit_reason = c->status_reason_hint;
      c->status_reason_hint.clear();
    }
    auto was_stopping = c->status == "stopping";
    c->status = "stopped";
    auto path = c->path;
    if (was_stopping) {
      if (is_pool() && !st().terminating)
        remove(path);
      if (!st().stop_queue.empty() && st().stop_queue.front() == path) {
        st().stop_queue.pop_front();
        stop_next();
      }
      return;
    }
    if (st().terminating)
      return;
    if (!st().stop_queue.empty()) {
      // A group restart is running: its members come back with it, others
      // are handled once it is done.
      auto& group = st().restarting_group;
      if (std::find(group.begin(), group.end(), path) == group.end())
        st().deferred_failures.emplace_back(path, msg.reason);
      return;
    }
    on_child_failed(*c, msg.reason);
  }

  void handle_deferred() {
    auto failures = std::move(st().deferred_failures);
    st().deferred_failures.clear();
    for (auto& [path, reason] : failures)
      if (auto* c = find(path); c != nullptr && !c->handle && !st().terminating)
        on_child_failed(*c, reason);
  }

  static bool is_normal(const caf::error& reason) {
    return !reason || reason == caf::exit_reason::normal
           || reason == caf::exit_reason::user_shutdown;
  }

  bool wants_restart(const child_state& c, const caf::error& reason) {
    switch (c.spec.restart) {
      case restart_type::permanent: return true;
      case restart_type::transient: return !is_normal(reason);
      case restart_type::temporary: return false;
    }
    return false;
  }

  void remove(const std::string& path) {
    auto& cs = st().children;
    for (auto i = cs.begin(); i != cs.end(); ++i)
      if (i->path == path) {
        cs.erase(i);
        return;
      }
  }

  void on_child_failed(child_state& c, const caf::error& reason) {
    if (!wants_restart(c, reason)) {
      if (c.spec.restart == restart_type::temporary || is_pool())
        remove(c.path);
      return;
    }
    auto now = self_->clock().now();
    if (st().intensity->record(now)) {
      terminate(caf::make_error(supervision_error::restart_intensity_exceeded,
                                c.path));
      return;
    }
    auto delay = next_delay(c, now);
    auto path = c.path;
    switch (st().spec.restart_strategy) {
      case strategy::one_for_one:
      case strategy::simple_one_for_one:
        restart_group({path}, delay);
        break;
      case strategy::one_for_all:
        restart_from(0, path, delay);
        break;
      case strategy::rest_for_one:
        restart_from(index_of(path), path, delay);
        break;
    }
  }

  size_t index_of(const std::string& path) {
    auto& cs = st().children;
    for (size_t i = 0; i < cs.size(); ++i)
      if (cs[i].path == path)
        return i;
    return cs.size();
  }

  /// Stops the children from index `from` on (the failed one is already
  /// gone) in reverse order, then restarts them in start order. Temporary
  /// siblings are not brought back (OTP).
  void restart_from(size_t from, const std::string& failed, caf::timespan delay) {
    std::vector<std::string> group;
    for (size_t i = from; i < st().children.size(); ++i)
      group.push_back(st().children[i].path);
    st().restarting_group = group;
    for (auto& path : group)
      if (auto* c = find(path); c != nullptr && path != failed && c->handle)
        c->status_reason_hint = "shutdown: restarting with " + failed;
    stop_in_order(running_in_reverse(from), [this, group, delay] {
      st().restarting_group.clear();
      std::vector<std::string> restart;
      for (auto& path : group) {
        auto* c = find(path);
        if (c == nullptr)
          continue;
        if (c->spec.restart == restart_type::temporary)
          remove(path);
        else
          restart.push_back(path);
      }
      restart_group(std::move(restart), delay);
    });
  }

  caf::timespan next_delay(child_state& c, caf::actor_clock::time_point now) {
    auto& backoff = st().spec.backoff;
    if (!backoff)
      return caf::timespan{0};
    if (now - c.started_at >= backoff->reset_after)
      c.backoff_streak = 0;
    return backoff_delay(*backoff, c.backoff_streak++, st().rng);
  }

  bool is_group_strategy() const {
    auto s = self_->state.spec.restart_strategy;
    return s == strategy::one_for_all || s == strategy::rest_for_one;
  }

  void restart_group(std::vector<std::string> paths, caf::timespan delay) {
    for (auto& path : paths)
      if (auto* c = find(path))
        c->status = "restarting";
    auto epoch = is_group_strategy() ? ++st().group_epoch : 0;
    if (delay.count() > 0)
      self_->delayed_send(self_, delay, restart_atom::value, std::move(paths), epoch);
    else
      restart_now(paths, epoch);
  }

  void restart_now(const std::vector<std::string>& paths, uint64_t epoch) {
    if (st().terminating || (is_group_strategy() && epoch != st().group_epoch))
      return;
    for (auto& path : paths) {
      auto* c = find(path);
      if (c == nullptr || c->status != "restarting")
        continue;
      ++c->restarts;
      if (!start(*c)) {
        // A failed start counts like a crash, bounded by the intensity.
        on_child_failed(*c, caf::make_error(supervision_error::child_start_failed, path));
        return;
      }
    }
  }

  // -- requests ---------------------------------------------------------------

  tree_node describe(const child_state& c) {
    tree_node n;
    n.path = c.path;
    n.kind = c.spec.kind == child_kind::supervisor ? "supervisor" : "worker";
    n.restart = to_string(c.spec.restart);
    n.status = c.status;
    n.restarts = c.restarts;
    n.last_exit_reason = c.last_exit_reason;
    n.last_exit_unix_ms = c.last_exit_unix_ms;
    return n;
  }

  caf::result<tree_node> which() {
    tree_node root;
    root.path = st().spec.name;
    root.kind = "supervisor";
    root.strategy = to_string(st().spec.restart_strategy);
    root.status = st().terminating ? "stopping" : "running";
    std::vector<supervisor_actor> nested;
    std::vector<size_t> slots;
    for (auto& c : st().children) {
      root.children.push_back(describe(c));
      if (c.spec.kind == child_kind::supervisor && c.handle) {
        nested.push_back(caf::actor_cast<supervisor_actor>(c.handle));
        slots.push_back(root.children.size() - 1);
      }
    }
    if (nested.empty())
      return root;
    // Ask nested supervisors for their subtrees and answer once all replied.
    struct pending {
      tree_node root;
      size_t open;
      caf::response_promise promise;
    };
    auto p = std::make_shared<pending>(
      pending{std::move(root), nested.size(), self_->make_response_promise()});
    for (size_t i = 0; i < nested.size(); ++i) {
      auto slot = slots[i];
      auto done = [p] {
        if (--p->open == 0)
          p->promise.deliver(p->root);
      };
      self_->request(nested[i], std::chrono::seconds(2), which_atom::value)
        .then(
          [p, slot, done](tree_node& sub) {
            auto& entry = p->root.children[slot];
            entry.strategy = sub.strategy;
            entry.children = std::move(sub.children);
            done();
          },
          [done](caf::error&) { done(); });
    }
    return p->promise;
  }

  caf::result<std::string> add_child() {
    if (!is_pool())
      return caf::make_error(supervision_error::not_a_pool, st().spec.name);
    if (st().spec.children.empty())
      return caf::make_error(supervision_error::no_such_child, "no template");
    auto& tmpl = st().spec.children.front();
    auto& c = st().children.emplace_back();
    c.spec = tmpl;
    c.spec.id = tmpl.id + "-" + std::to_string(st().next_pool_id++);
    c.path = st().spec.name + "/" + c.spec.id;
    if (!start(c)) {
      auto path = c.path;
      remove(path);
      return caf::make_error(supervision_error::child_start_failed, path);
    }
    return c.spec.id;
  }

  caf::result<bool> drop_child(const std::string& id) {
    if (!is_pool())
      return caf::make_error(supervision_error::not_a_pool, st().spec.name);
    auto* c = find(st().spec.name + "/" + id);
    if (c == nullptr)
      return caf::make_error(supervision_error::no_such_child, id);
    if (!c->handle) {
      remove(c->path);
      return true;
    }
    send_stop(*c); // removed when its exit arrives
    return true;
  }

private:
  self_ptr self_;
};

// Dynamically typed inside, so it can message itself; offered to others as
// a supervisor_actor.
caf::behavior supervisor_behavior(self_ptr self, supervisor_spec spec) {
  self->state.spec = std::move(spec);
  auto impl = std::make_shared<supervisor_impl>(self);
  self->set_exit_handler([impl](caf::exit_msg& msg) { impl->on_exit(msg); });
  self->set_down_handler([impl](caf::down_msg& msg) { impl->on_down(msg); });
  // OTP links children to their supervisor: if we die (even by an
  // untrappable kill), the children still alive die with us.
  self->attach_functor([live = self->state.live_children](const caf::error&) {
    for (auto& child : *live)
      caf::anon_send_exit(child, caf::exit_reason::kill);
  });
  impl->init();
  return {
    [impl](which_atom) { return impl->which(); },
    [impl](add_child_atom) { return impl->add_child(); },
    [impl](drop_child_atom, const std::string& id) { return impl->drop_child(id); },
    [impl](restart_atom, const std::vector<std::string>& paths, uint64_t epoch) {
      impl->restart_now(paths, epoch);
    },
    [impl](kill_late_atom, const std::string& path, const caf::actor_addr& addr) {
      impl->kill_late(path, addr);
    },
  };
}

} // namespace

supervisor_actor spawn_supervisor(caf::actor_system& sys, supervisor_spec spec) {
  return caf::actor_cast<supervisor_actor>(sys.spawn(supervisor_behavior, std::move(spec)));
}

child_spec supervisor_child(std::string id, supervisor_spec spec, restart_type restart) {
  child_spec result;
  result.id = std::move(id);
  result.restart = restart;
  result.kind = child_kind::supervisor;
  result.shutdown = shutdown_policy::infinity();
  result.start = [spec](caf::local_actor* parent, const std::string& path) {
    auto nested = spec;
    nested.name = path;
    return caf::actor_cast<caf::actor>(spawn_supervisor(parent->home_system(), nested));
  };
  return result;
}

std::string to_string(restart_type x) {
  switch (x) {
    case restart_type::permanent: return "permanent";
    case restart_type::transient: return "transient";
    case restart_type::temporary: return "temporary";
  }
  return "unknown";
}

std::string to_string(strategy x) {
  switch (x) {
    case strategy::one_for_one: return "one_for_one";
    case strategy::one_for_all: return "one_for_all";
    case strategy::rest_for_one: return "rest_for_one";
    case strategy::simple_one_for_one: return "simple_one_for_one";
  }
  return "unknown";
}

} // namespace vigil::supervision
