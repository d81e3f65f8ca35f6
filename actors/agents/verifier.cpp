#include "actors/agents/verifier.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "messages/actor_paths.hpp"
#include "messages/observability.hpp"

namespace vigil::agents {

namespace {

using json = nlohmann::json;
using namespace std::chrono;

using poll_atom = caf::atom_constant<caf::atom("vpoll")>;

std::string fixed(double x, int digits) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", digits, x);
  return text;
}

std::string seconds_text(caf::timespan t) {
  return fixed(duration_cast<milliseconds>(t).count() / 1000.0, 0) + " s";
}

/// One verification in progress.
struct job {
  incident subject;
  plan_step step;
  caf::typed_response_promise<plan_step> promise;
  std::optional<step_check> check;
  bool checked = false;                  ///< The step's check held.
  caf::actor_clock::time_point deadline; ///< Of the current phase.
  std::optional<caf::actor_clock::time_point> healthy_since;
  std::string last_seen;                 ///< Why it is not verified yet, in words.
  bool in_flight = false;                ///< A signals/status request is out.
};

struct verifier_state {
  static inline const char* name = "vigil.verifier";
  agents_context ctx;
  verifier_settings settings;
  std::map<uint64_t, job> jobs;
  uint64_t next_id = 0;
};

using verifier_impl = verifier_actor::extend<caf::reacts_to<poll_atom, uint64_t>>;
using verifier_ptr = verifier_impl::stateful_pointer<verifier_state>;

void finish(verifier_ptr self, uint64_t id, bool verified, const std::string& why) {
  auto i = self->state.jobs.find(id);
  if (i == self->state.jobs.end())
    return;
  auto step = i->second.step;
  step.state = verified ? step_state::verified : step_state::not_verified;
  step.verification = why;
  spdlog::info("verifier: {} step {} ({}) {}: {}", i->second.subject.id, step.index, step.tool,
               to_string(step.state), why);
  i->second.promise.deliver(std::move(step));
  self->state.jobs.erase(i);
}

/// The success ratio a service must reach: its baseline less the tolerance,
/// or the configured minimum when the baseline has none.
double target_ratio(const verifier_settings& s, const json& baseline, const std::string& svc) {
  auto services = baseline.find("services");
  if (services != baseline.end() && services->is_object()) {
    auto entry = services->find(svc);
    if (entry != services->end() && entry->is_object()) {
      auto ratio = entry->find("success_ratio");
      if (ratio != entry->end() && ratio->is_number())
        return std::min(ratio->get<double>() - s.sli_tolerance, 1.0);
    }
  }
  return s.min_success_ratio;
}

/// Empty when every service of the incident the board knows is healthy and
/// at its baseline; otherwise the first reason why not.
std::string recovery_gap(const verifier_settings& s, const incident& subject,
                         const std::vector<service_health>& board) {
  auto baseline = json::parse(subject.baseline, nullptr, false);
  if (!baseline.is_object())
    baseline = json::object();
  for (auto& svc : subject.services) {
    auto h = std::find_if(board.begin(), board.end(),
                          [&](const service_health& x) { return x.service == svc; });
    if (h == board.end())
      continue; // Not watched by any probe (e.g. "host"): the check speaks for it.
    if (h->health != "ok")
      return svc + " is " + h->health + (h->reason.empty() ? "" : " (" + h->reason + ")");
    if (!h->sli.service.empty() && h->sli.requests > 0) {
      auto target = target_ratio(s, baseline, svc);
      if (h->sli.success_ratio < target)
        return svc + " success ratio " + fixed(h->sli.success_ratio * 100, 1)
               + "% is below " + fixed(target * 100, 1) + "% (baseline less tolerance)";
    }
  }
  return {};
}

void poll(verifier_ptr self, uint64_t id);

void schedule(verifier_ptr self, uint64_t id) {
  self->delayed_send(self, self->state.settings.poll, poll_atom::value, id);
}

void poll_check(verifier_ptr self, uint64_t id, job& j) {
  auto perception = caf::actor_cast<perception_actor>(
    self->state.ctx.directory->get(self->state.ctx.path(actor_paths::perception)));
  if (!perception) {
    j.last_seen = "perception is not running";
    schedule(self, id);
    return;
  }
  j.in_flight = true;
  self->request(perception, self->state.settings.poll * 5, signals_atom::value)
    .then(
      [self, id](const std::vector<signal_value>& signals) {
        auto i = self->state.jobs.find(id);
        if (i == self->state.jobs.end())
          return;
        auto& j = i->second;
        j.in_flight = false;
        auto found = std::find_if(signals.begin(), signals.end(),
                                  [&](const signal_value& v) { return v.name == j.check->signal; });
        auto* value = found == signals.end() ? nullptr : &*found;
        if (check_holds(*j.check, value)) {
          j.checked = true;
          j.deadline = self->clock().now() + self->state.settings.recovery;
          poll(self, id);
          return;
        }
        j.last_seen = value ? j.check->signal + " was '" + value->text + "'"
                            : j.check->signal + " was not seen";
        schedule(self, id);
      },
      [self, id](const caf::error& err) {
        auto i = self->state.jobs.find(id);
        if (i == self->state.jobs.end())
          return;
        i->second.in_flight = false;
        i->second.last_seen = "perception did not answer: " + to_string(err);
        schedule(self, id);
      });
}

void poll_recovery(verifier_ptr self, uint64_t id, job&) {
  auto board = caf::actor_cast<status_board_actor>(
    self->state.ctx.directory->get(self->state.ctx.path(actor_paths::status)));
  if (!board) {
    self->state.jobs[id].last_seen = "the status board is not running";
    schedule(self, id);
    return;
  }
  self->state.jobs[id].in_flight = true;
  self->request(board, self->state.settings.poll * 5, status_atom::value)
    .then(
      [self, id](const std::vector<service_health>& health) {
        auto i = self->state.jobs.find(id);
        if (i == self->state.jobs.end())
          return;
        auto& j = i->second;
        j.in_flight = false;
        auto gap = recovery_gap(self->state.settings, j.subject, health);
        auto now = self->clock().now();
        if (!gap.empty()) {
          j.healthy_since.reset();
          j.last_seen = gap;
        } else {
          if (!j.healthy_since)
            j.healthy_since = now;
          if (now - *j.healthy_since >= self->state.settings.settle) {
            std::string what = j.check ? j.check->describe() + "; " : std::string{};
            finish(self, id, true,
                   what + "services healthy and at baseline for "
                     + seconds_text(self->state.settings.settle));
            return;
          }
        }
        schedule(self, id);
      },
      [self, id](const caf::error& err) {
        auto i = self->state.jobs.find(id);
        if (i == self->state.jobs.end())
          return;
        i->second.in_flight = false;
        i->second.healthy_since.reset();
        i->second.last_seen = "the status board did not answer: " + to_string(err);
        schedule(self, id);
      });
}

void poll(verifier_ptr self, uint64_t id) {
  auto i = self->state.jobs.find(id);
  if (i == self->state.jobs.end() || i->second.in_flight)
    return;
  auto& j = i->second;
  if (self->clock().now() > j.deadline) {
    if (!j.checked)
      finish(self, id, false,
             "check not met within " + seconds_text(j.check->within) + ": "
               + j.check->describe() + " (" + j.last_seen + ")");
    else
      finish(self, id, false,
             "services not back within " + seconds_text(self->state.settings.recovery)
               + " after the check held: " + j.last_seen);
    return;
  }
  if (!j.checked)
    poll_check(self, id, j);
  else
    poll_recovery(self, id, j);
}

verifier_impl::behavior_type verifier_behavior(verifier_ptr self, agents_context ctx,
                                               verifier_settings settings) {
  self->state.ctx = std::move(ctx);
  self->state.settings = settings;
  return {
    [self](verify_atom, const incident& subject,
           const plan_step& step) -> caf::result<plan_step> {
      std::string why;
      auto check = parse_check(step.check, &why);
      if (!check && !why.empty())
        return caf::make_error(incident_error::bad_request, "step check: " + why);
      auto id = self->state.next_id++;
      auto& j = self->state.jobs[id];
      j.subject = subject;
      j.step = step;
      j.promise = self->make_response_promise<plan_step>();
      j.check = check;
      j.checked = !check || check->signal.empty();
      j.deadline = self->clock().now()
                   + (j.checked ? self->state.settings.recovery : check->within);
      auto promise = j.promise;
      poll(self, id);
      return promise;
    },
    [self](poll_atom, uint64_t id) { poll(self, id); },
  };
}

caf::timespan seconds_field(const json& section, const char* key, caf::timespan fallback) {
  auto i = section.find(key);
  if (i == section.end())
    return fallback;
  if (!i->is_number() || i->get<double>() < 0 || i->get<double>() > 86400)
    throw std::invalid_argument(std::string{"verifier."} + key
                                + ": expected seconds between 0 and 86400");
  return duration_cast<caf::timespan>(duration<double>(i->get<double>()));
}

double ratio_field(const json& section, const char* key, double fallback) {
  auto i = section.find(key);
  if (i == section.end())
    return fallback;
  if (!i->is_number() || i->get<double>() < 0 || i->get<double>() > 1)
    throw std::invalid_argument(std::string{"verifier."} + key
                                + ": expected a number between 0 and 1");
  return i->get<double>();
}

} // namespace

caf::timespan verifier_settings::budget(const plan_step& step) const {
  std::string why;
  auto check = parse_check(step.check, &why);
  auto within = check ? check->within : caf::timespan{0};
  return within + recovery + poll * 10;
}

verifier_settings parse_verifier_settings(const json& section) {
  verifier_settings s;
  if (!section.is_object())
    return s;
  s.settle = seconds_field(section, "settle_s", s.settle);
  s.recovery = seconds_field(section, "recovery_s", s.recovery);
  s.sli_tolerance = ratio_field(section, "sli_tolerance", s.sli_tolerance);
  s.min_success_ratio = ratio_field(section, "min_success_ratio", s.min_success_ratio);
  if (auto i = section.find("poll_ms"); i != section.end()) {
    if (!i->is_number_integer() || i->get<int64_t>() < 10 || i->get<int64_t>() > 60000)
      throw std::invalid_argument("verifier.poll_ms: expected 10..60000");
    s.poll = milliseconds(i->get<int64_t>());
  }
  return s;
}

std::string step_check::describe() const {
  if (signal.empty())
    return "no check";
  return signal + " " + op + " " + text;
}

std::optional<step_check> parse_check(const std::string& check_json, std::string* why) {
  auto doc = json::parse(check_json.empty() ? "{}" : check_json, nullptr, false);
  if (!doc.is_object()) {
    *why = "not a JSON object: " + check_json;
    return std::nullopt;
  }
  step_check c;
  if (auto w = doc.find("within_s"); w != doc.end()) {
    if (!w->is_number() || w->get<double>() <= 0 || w->get<double>() > 3600) {
      *why = "within_s: expected 1..3600 seconds";
      return std::nullopt;
    }
    c.within = duration_cast<caf::timespan>(duration<double>(w->get<double>()));
  }
  auto signal = doc.find("signal");
  if (signal == doc.end())
    return c; // No condition: only the services' recovery is checked.
  if (!signal->is_string() || signal->get<std::string>().empty()) {
    *why = "signal: expected a name";
    return std::nullopt;
  }
  c.signal = signal->get<std::string>();
  for (auto* op : {"is", "is_not", "contains", "above", "below"}) {
    auto v = doc.find(op);
    if (v == doc.end())
      continue;
    if (!c.op.empty()) {
      *why = "more than one comparison";
      return std::nullopt;
    }
    c.op = op;
    if (v->is_string()) {
      c.text = v->get<std::string>();
      char* end = nullptr;
      c.number = std::strtod(c.text.c_str(), &end);
    } else if (v->is_number()) {
      c.number = v->get<double>();
      c.text = v->is_number_integer() ? std::to_string(v->get<int64_t>()) : v->dump();
    } else if (v->is_boolean()) {
      c.text = v->get<bool>() ? "true" : "false";
      c.number = v->get<bool>() ? 1 : 0;
    } else {
      *why = std::string{op} + ": expected a string or a number";
      return std::nullopt;
    }
    if ((c.op == "above" || c.op == "below") && !v->is_number()) {
      *why = c.op + ": expected a number";
      return std::nullopt;
    }
  }
  if (c.op.empty()) {
    *why = "expected one of is, is_not, contains, above, below";
    return std::nullopt;
  }
  return c;
}

bool check_holds(const step_check& check, const signal_value* value) {
  if (check.signal.empty())
    return true;
  if (value == nullptr)
    return false;
  auto same = [&] {
    if (value->text == check.text)
      return true;
    // 503 (a number) and "503" (text) are the same value.
    return value->numeric && !check.text.empty() && std::isfinite(check.number)
           && value->number == check.number
           && check.text.find_first_not_of("0123456789.-") == std::string::npos;
  };
  if (check.op == "is")
    return same();
  if (check.op == "is_not")
    return !same();
  if (check.op == "contains")
    return value->text.find(check.text) != std::string::npos;
  if (check.op == "above")
    return value->numeric && value->number > check.number;
  if (check.op == "below")
    return value->numeric && value->number < check.number;
  return false;
}

verifier_actor spawn_verifier(caf::actor_system& sys, const agents_context& ctx,
                              verifier_settings settings) {
  return sys.spawn(verifier_behavior, ctx, settings);
}

supervision::child_spec verifier_child(const agents_context& ctx) {
  supervision::child_spec spec;
  spec.id = "verifier";
  auto settings = parse_verifier_settings(ctx.config.settings("verifier"));
  spec.start = [ctx, settings](caf::local_actor* sup, const std::string&) {
    return caf::actor_cast<caf::actor>(spawn_verifier(sup->home_system(), ctx, settings));
  };
  return spec;
}

} // namespace vigil::agents
