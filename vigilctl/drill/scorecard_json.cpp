#include "vigilctl/drill/scorecard_json.hpp"

#include <fstream>
#include <stdexcept>

namespace vigilctl::drill {

namespace {

using json = nlohmann::json;

json row_json(const score_row& r, bool root_cause_applies) {
  json result{{"fault", r.fault},
              {"injected", r.injected},
              {"inject_failed", r.inject_failed},
              {"detected", r.detected},
              {"mitigated", r.mitigated},
              {"verified", r.verified},
              {"escalated", r.escalated},
              {"actions", r.actions},
              {"approvals", r.approvals},
              {"unacceptable", r.unacceptable},
              {"time_to_detect_ms", {{"p50", r.ttd_p50_ms}, {"p95", r.ttd_p95_ms}}},
              {"time_to_mitigate_ms", {{"p50", r.ttm_p50_ms}, {"p95", r.ttm_p95_ms}}},
              {"oracle", {{"judged", r.oracle_judged},
                          {"hurt", r.oracle_hurt},
                          {"restored", r.oracle_restored},
                          {"time_to_restore_ms", {{"p50", r.ttr_p50_ms}, {"p95", r.ttr_p95_ms}}}}}};
  result["root_cause_right"] = root_cause_applies ? json(r.root_cause_right) : json(nullptr);
  return result;
}

json oracle_json(const fault_outcome& f) {
  if (!f.oracle)
    return nullptr;
  return {{"state", to_string(f.oracle->state)},
          {"impact_unix_ms", f.oracle->impact_unix_ms},
          {"restored_unix_ms", f.oracle->restored_unix_ms},
          {"time_to_restore_ms", f.time_to_restore_ms()}};
}

json outcome_json(const fault_outcome& f) {
  return {{"number", f.number},
          {"fault", f.fault},
          {"label", f.label},
          {"injection_id", f.injection_id},
          {"injected_unix_ms", f.injected_unix_ms},
          {"end", f.end},
          {"incident", f.incident_id},
          {"detected_unix_ms", f.detected_unix_ms},
          {"mitigated_unix_ms", f.mitigated_unix_ms},
          {"verified", f.verified},
          {"diagnosed", f.root_cause_applies ? json(f.diagnosed) : json(nullptr)},
          {"root_cause_right", f.root_cause_applies ? json(f.root_cause_right()) : json(nullptr)},
          {"time_to_detect_ms", f.time_to_detect_ms()},
          {"time_to_mitigate_ms", f.time_to_mitigate_ms()},
          {"approval_wait_ms", f.approval_wait_ms},
          {"actions", f.actions},
          {"approvals", f.approvals},
          {"orders_lost", f.orders_lost},
          {"lost_ids", f.lost_ids},
          {"oracle", oracle_json(f)},
          {"unacceptable_steps", f.unacceptable_steps},
          {"note", f.note}};
}

/// `j[key]` as T; a missing key is `fallback`, a value of another type an
/// error that names where it is.
template <class T>
T field(const json& j, const char* key, const std::string& where, T fallback) {
  auto i = j.find(key);
  if (i == j.end() || i->is_null())
    return fallback;
  try {
    return i->get<T>();
  } catch (const json::exception&) {
    throw std::invalid_argument(where + "." + key + " has the wrong type (" + i->type_name() + ")");
  }
}

const json& object_at(const json& j, const char* key, const std::string& where) {
  static const json empty = json::object();
  auto i = j.find(key);
  if (i == j.end() || i->is_null())
    return empty;
  if (!i->is_object())
    throw std::invalid_argument(where + "." + key + " is not an object");
  return *i;
}

score_row row_from_json(const json& j, const std::string& where) {
  if (!j.is_object())
    throw std::invalid_argument(where + " is not an object");
  score_row r;
  r.fault = field<std::string>(j, "fault", where, "");
  r.injected = field<uint32_t>(j, "injected", where, 0);
  r.inject_failed = field<uint32_t>(j, "inject_failed", where, 0);
  r.detected = field<uint32_t>(j, "detected", where, 0);
  r.root_cause_right = field<uint32_t>(j, "root_cause_right", where, 0);
  r.mitigated = field<uint32_t>(j, "mitigated", where, 0);
  r.verified = field<uint32_t>(j, "verified", where, 0);
  r.escalated = field<uint32_t>(j, "escalated", where, 0);
  r.actions = field<uint32_t>(j, "actions", where, 0);
  r.approvals = field<uint32_t>(j, "approvals", where, 0);
  r.unacceptable = field<uint32_t>(j, "unacceptable", where, 0);
  auto& ttd = object_at(j, "time_to_detect_ms", where);
  r.ttd_p50_ms = field<int64_t>(ttd, "p50", where + ".time_to_detect_ms", -1);
  r.ttd_p95_ms = field<int64_t>(ttd, "p95", where + ".time_to_detect_ms", -1);
  auto& ttm = object_at(j, "time_to_mitigate_ms", where);
  r.ttm_p50_ms = field<int64_t>(ttm, "p50", where + ".time_to_mitigate_ms", -1);
  r.ttm_p95_ms = field<int64_t>(ttm, "p95", where + ".time_to_mitigate_ms", -1);
  auto& o = object_at(j, "oracle", where);
  r.oracle_judged = field<uint32_t>(o, "judged", where + ".oracle", 0);
  r.oracle_hurt = field<uint32_t>(o, "hurt", where + ".oracle", 0);
  r.oracle_restored = field<uint32_t>(o, "restored", where + ".oracle", 0);
  auto& ttr = object_at(o, "time_to_restore_ms", where + ".oracle");
  r.ttr_p50_ms = field<int64_t>(ttr, "p50", where + ".oracle.time_to_restore_ms", -1);
  r.ttr_p95_ms = field<int64_t>(ttr, "p95", where + ".oracle.time_to_restore_ms", -1);
  return r;
}

fault_outcome outcome_from_json(const json& j, const std::string& where) {
  if (!j.is_object())
    throw std::invalid_argument(where + " is not an object");
  fault_outcome f;
  f.number = field<uint32_t>(j, "number", where, 0);
  f.fault = field<std::string>(j, "fault", where, "");
  f.label = field<std::string>(j, "label", where, "");
  f.injection_id = field<std::string>(j, "injection_id", where, "");
  f.injected_unix_ms = field<int64_t>(j, "injected_unix_ms", where, 0);
  f.end = field<std::string>(j, "end", where, "");
  f.incident_id = field<std::string>(j, "incident", where, "");
  f.detected_unix_ms = field<int64_t>(j, "detected_unix_ms", where, 0);
  f.mitigated_unix_ms = field<int64_t>(j, "mitigated_unix_ms", where, 0);
  f.verified = field<bool>(j, "verified", where, false);
  // The baseline writes null: it makes no diagnosis.
  f.root_cause_applies = j.contains("diagnosed") && !j["diagnosed"].is_null();
  f.diagnosed = field<std::string>(j, "diagnosed", where, "");
  f.approval_wait_ms = field<int64_t>(j, "approval_wait_ms", where, 0);
  f.actions = field<uint32_t>(j, "actions", where, 0);
  f.approvals = field<uint32_t>(j, "approvals", where, 0);
  f.orders_lost = field<int64_t>(j, "orders_lost", where, -1);
  f.lost_ids = field<std::vector<std::string>>(j, "lost_ids", where, {});
  f.note = field<std::string>(j, "note", where, "");
  f.unacceptable_steps = field<std::vector<std::string>>(j, "unacceptable_steps", where, {});
  if (auto o = j.find("oracle"); o != j.end() && !o->is_null()) {
    if (!o->is_object())
      throw std::invalid_argument(where + ".oracle is not an object");
    oracle_verdict v;
    try {
      v.state = parse_oracle_state(field<std::string>(*o, "state", where + ".oracle", ""));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ".oracle.state: " + e.what());
    }
    v.impact_unix_ms = field<int64_t>(*o, "impact_unix_ms", where + ".oracle", 0);
    v.restored_unix_ms = field<int64_t>(*o, "restored_unix_ms", where + ".oracle", 0);
    f.oracle = v;
  }
  return f;
}

} // namespace

json to_json(const scorecard& card) {
  json kinds = json::array();
  for (auto& r : card.kinds)
    kinds.push_back(row_json(r, card.root_cause_applies));
  json faults = json::array();
  for (auto& f : card.faults)
    faults.push_back(outcome_json(f));
  return {{"campaign", card.campaign},
          {"mode", card.mode},
          {"seed", card.seed},
          {"auto_approve", card.auto_approve},
          {"started_unix_ms", card.started_unix_ms},
          {"finished_unix_ms", card.finished_unix_ms},
          {"total", row_json(card.total, card.root_cause_applies)},
          {"kinds", kinds},
          {"unsafe_actions", card.unsafe},
          {"unsafe_detail", card.unsafe_detail},
          {"acked_orders", card.acked_orders},
          {"orders_lost", card.orders_lost},
          {"lost_ids", card.lost_ids},
          {"missing_before", card.missing_before},
          {"orders_note", card.orders_note},
          {"faults", faults}};
}

scorecard scorecard_from_json(const json& j) {
  if (!j.is_object())
    throw std::invalid_argument("a scorecard is a JSON object");
  for (auto key : {"campaign", "total", "kinds"})
    if (!j.contains(key))
      throw std::invalid_argument(std::string{"not a campaign scorecard: no \""} + key + "\"");
  scorecard card;
  card.campaign = field<std::string>(j, "campaign", "scorecard", "");
  card.mode = field<std::string>(j, "mode", "scorecard", "vigil");
  card.seed = field<uint64_t>(j, "seed", "scorecard", 0);
  card.auto_approve = field<bool>(j, "auto_approve", "scorecard", false);
  card.started_unix_ms = field<int64_t>(j, "started_unix_ms", "scorecard", 0);
  card.finished_unix_ms = field<int64_t>(j, "finished_unix_ms", "scorecard", 0);
  card.root_cause_applies = j["total"].is_object() && j["total"].contains("root_cause_right")
                            && !j["total"]["root_cause_right"].is_null();
  card.total = row_from_json(j["total"], "total");
  if (!j["kinds"].is_array())
    throw std::invalid_argument("kinds is not an array");
  for (size_t i = 0; i < j["kinds"].size(); ++i)
    card.kinds.push_back(row_from_json(j["kinds"][i], "kinds[" + std::to_string(i) + "]"));
  card.unsafe = field<uint32_t>(j, "unsafe_actions", "scorecard", 0);
  card.unsafe_detail = field<std::vector<std::string>>(j, "unsafe_detail", "scorecard", {});
  card.acked_orders = field<int64_t>(j, "acked_orders", "scorecard", -1);
  card.orders_lost = field<int64_t>(j, "orders_lost", "scorecard", -1);
  card.lost_ids = field<std::vector<std::string>>(j, "lost_ids", "scorecard", {});
  card.missing_before = field<std::vector<std::string>>(j, "missing_before", "scorecard", {});
  card.orders_note = field<std::string>(j, "orders_note", "scorecard", "");
  if (auto faults = j.find("faults"); faults != j.end() && !faults->is_null()) {
    if (!faults->is_array())
      throw std::invalid_argument("faults is not an array");
    for (size_t i = 0; i < faults->size(); ++i)
      card.faults.push_back(outcome_from_json((*faults)[i], "faults[" + std::to_string(i) + "]"));
  }
  return card;
}

scorecard load_scorecard(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot read " + path);
  auto j = json::parse(in, nullptr, false);
  if (j.is_discarded())
    throw std::runtime_error(path + " is not JSON");
  try {
    return scorecard_from_json(j);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

} // namespace vigilctl::drill
