// The one list of wire types; a type missing here arrives as an empty message.
#include "messages/announce.hpp"

#include <caf/actor_system_config.hpp>

#include "messages/actions.hpp"
#include "messages/admin.hpp"
#include "messages/chaos.hpp"
#include "messages/incidents.hpp"
#include "messages/observability.hpp"
#include "messages/registry.hpp"
#include "messages/services.hpp"
#include "messages/supervision.hpp"

namespace vigil {

namespace {

template <class Enum>
void add_error_renderer(caf::actor_system_config& cfg, caf::atom_value category) {
  cfg.add_error_category(category, [](uint8_t code, caf::atom_value cat,
                                       const caf::message& context) {
    auto text = caf::to_string(cat) + "::" + to_string(static_cast<Enum>(code));
    if (context.size() == 1 && context.match_element<std::string>(0))
      text += ": " + context.get_as<std::string>(0);
    return text;
  });
}

} // namespace

void announce_messages(caf::actor_system_config& cfg) {
  // supervision
  cfg.add_message_type<tree_node>("vigil::tree_node");
  cfg.add_message_type<std::vector<tree_node>>("std::vector<vigil::tree_node>");
  cfg.add_message_type<supervisor_actor>("vigil::supervisor_actor");
  // registry
  cfg.add_message_type<actor_entry>("vigil::actor_entry");
  cfg.add_message_type<node_registration>("vigil::node_registration");
  cfg.add_message_type<node_info>("vigil::node_info");
  cfg.add_message_type<std::vector<node_info>>("std::vector<vigil::node_info>");
  cfg.add_message_type<registry_actor>("vigil::registry_actor");
  // admin
  cfg.add_message_type<ping_result>("vigil::ping_result");
  cfg.add_message_type<admin_ack>("vigil::admin_ack");
  cfg.add_message_type<admin_actor>("vigil::admin_actor");
  // services
  cfg.add_message_type<service_status>("vigil::service_status");
  cfg.add_message_type<std::vector<service_status>>("std::vector<vigil::service_status>");
  cfg.add_message_type<service_manager_actor>("vigil::service_manager_actor");
  add_error_renderer<service_error>(cfg, caf::atom("services"));
  // chaos
  cfg.add_message_type<fault_param>("vigil::fault_param");
  cfg.add_message_type<fault_fix>("vigil::fault_fix");
  cfg.add_message_type<fault_kind>("vigil::fault_kind");
  cfg.add_message_type<std::vector<fault_kind>>("std::vector<vigil::fault_kind>");
  cfg.add_message_type<injection_request>("vigil::injection_request");
  cfg.add_message_type<active_fault>("vigil::active_fault");
  cfg.add_message_type<std::vector<active_fault>>("std::vector<vigil::active_fault>");
  cfg.add_message_type<chaos_event>("vigil::chaos_event");
  cfg.add_message_type<std::vector<chaos_event>>("std::vector<vigil::chaos_event>");
  cfg.add_message_type<chaos_schedule>("vigil::chaos_schedule");
  cfg.add_message_type<chaos_actor>("vigil::chaos_actor");
  add_error_renderer<chaos_error>(cfg, caf::atom("chaos"));
  // observability and knowledge
  cfg.add_message_type<event>("vigil::event");
  cfg.add_message_type<std::vector<event>>("std::vector<vigil::event>");
  cfg.add_message_type<probe_result>("vigil::probe_result");
  cfg.add_message_type<std::vector<probe_result>>("std::vector<vigil::probe_result>");
  cfg.add_message_type<sli_snapshot>("vigil::sli_snapshot");
  cfg.add_message_type<std::vector<sli_snapshot>>("std::vector<vigil::sli_snapshot>");
  cfg.add_message_type<service_health>("vigil::service_health");
  cfg.add_message_type<std::vector<service_health>>("std::vector<vigil::service_health>");
  cfg.add_message_type<metric_sample>("vigil::metric_sample");
  cfg.add_message_type<std::vector<metric_sample>>("std::vector<vigil::metric_sample>");
  cfg.add_message_type<bus_stats>("vigil::bus_stats");
  cfg.add_message_type<knowledge_hit>("vigil::knowledge_hit");
  cfg.add_message_type<std::vector<knowledge_hit>>("std::vector<vigil::knowledge_hit>");
  cfg.add_message_type<knowledge_doc>("vigil::knowledge_doc");
  cfg.add_message_type<event_bus_actor>("vigil::event_bus_actor");
  cfg.add_message_type<probe_manager_actor>("vigil::probe_manager_actor");
  cfg.add_message_type<traffic_actor>("vigil::traffic_actor");
  cfg.add_message_type<status_board_actor>("vigil::status_board_actor");
  cfg.add_message_type<knowledge_actor>("vigil::knowledge_actor");
  add_error_renderer<observability_error>(cfg, caf::atom("observe"));
  // action plane
  cfg.add_message_type<action_request>("vigil::action_request");
  cfg.add_message_type<action_result>("vigil::action_result");
  cfg.add_message_type<tool_info>("vigil::tool_info");
  cfg.add_message_type<std::vector<tool_info>>("std::vector<vigil::tool_info>");
  cfg.add_message_type<audit_record>("vigil::audit_record");
  cfg.add_message_type<std::vector<audit_record>>("std::vector<vigil::audit_record>");
  cfg.add_message_type<action_plane_actor>("vigil::action_plane_actor");
  add_error_renderer<action_error>(cfg, caf::atom("action"));
  // agents and incidents
  cfg.add_message_type<signal_value>("vigil::signal_value");
  cfg.add_message_type<std::vector<signal_value>>("std::vector<vigil::signal_value>");
  cfg.add_message_type<hypothesis>("vigil::hypothesis");
  cfg.add_message_type<std::vector<hypothesis>>("std::vector<vigil::hypothesis>");
  cfg.add_message_type<plan_step>("vigil::plan_step");
  cfg.add_message_type<std::vector<plan_step>>("std::vector<vigil::plan_step>");
  cfg.add_message_type<incident>("vigil::incident");
  cfg.add_message_type<std::vector<incident>>("std::vector<vigil::incident>");
  cfg.add_message_type<approval>("vigil::approval");
  cfg.add_message_type<std::vector<approval>>("std::vector<vigil::approval>");
  cfg.add_message_type<incidents_actor>("vigil::incidents_actor");
  cfg.add_message_type<perception_actor>("vigil::perception_actor");
  cfg.add_message_type<diagnosis_actor>("vigil::diagnosis_actor");
  cfg.add_message_type<planner_actor>("vigil::planner_actor");
  cfg.add_message_type<safety_actor>("vigil::safety_actor");
  cfg.add_message_type<verifier_actor>("vigil::verifier_actor");
  cfg.add_message_type<narrator_actor>("vigil::narrator_actor");
  add_error_renderer<incident_error>(cfg, caf::atom("incident"));
  add_error_renderer<supervision_error>(cfg, caf::atom("supervisor"));
  add_error_renderer<admin_error>(cfg, caf::atom("admin"));
}

} // namespace vigil
