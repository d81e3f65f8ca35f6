// What the narrator says, as plain functions of an incident: the short brief
// (Markdown), its Slack-compatible webhook payload, and the postmortem
// (Markdown and JSON). No I/O here, so every sentence is testable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/incidents.hpp"
#include "messages/observability.hpp"

namespace vigil::agents {

/// The hypothesis the plan came from (hypothesis_index), or the best one;
/// nullptr when diagnosis has not answered yet.
const hypothesis* chosen_hypothesis(const incident& inc);

/// The short plain-language brief: what broke, why (with confidence), what
/// was done and is being done, the evidence, how to prevent it.
/// `prevention`: the runbook's prevention items (may be empty).
std::string render_brief(const incident& inc, const std::vector<std::string>& prevention);

/// {"text": ..., "blocks": [...]} for a Slack-compatible incoming webhook.
nlohmann::json webhook_payload(const incident& inc, const std::string& brief);

/// Everything a postmortem is made of besides the incident itself.
struct postmortem_facts {
  std::vector<std::string> prevention; ///< From the runbook.
  /// Health and SLIs per service before (the incident's baseline) and now
  /// (the status board), as JSON objects; {} when not known.
  nlohmann::json before = nlohmann::json::object();
  nlohmann::json after = nlohmann::json::object();
  int64_t written_unix_ms = 0;
};

/// The status board's rows in the shape of the coordinator's baseline:
/// {"taken_unix_ms", "services": {"<service>": {"health", "requests",
/// "success_ratio", "p95_ms", ...}}}: the "after" of a postmortem.
nlohmann::json health_snapshot(const std::vector<service_health>& rows, int64_t taken_unix_ms);

/// The postmortem as one JSON document (incident, timeline, root_cause,
/// actions, approvals, before, after, follow_ups).
nlohmann::json postmortem_document(const incident& inc, const postmortem_facts& facts);

/// The same postmortem as Markdown, sections: Summary, Timeline, Root cause,
/// Actions, Approvals, Before and after, Follow-ups.
std::string render_postmortem(const nlohmann::json& document);

/// "2026-11-27 12:03:04.120 UTC"; "-" for 0.
std::string format_utc(int64_t unix_ms);

/// "4.2 s", "3 min 12 s".
std::string format_duration(int64_t ms);

} // namespace vigil::agents
