// How replies are shown: aligned text for people, or exactly one JSON document
// per command for scripts.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/admin.hpp"

namespace vigilctl {

enum class format { text, json };

/// Ages ("0.4s ago") are measured against `now_unix_ms`.
void render_nodes(std::ostream& out, const std::vector<vigil::node_info>& nodes,
                  format fmt, int64_t now_unix_ms);

void render_trees(std::ostream& out, const std::vector<vigil::tree_node>& trees,
                  format fmt, int64_t now_unix_ms);

void render_ping(std::ostream& out, const vigil::ping_result& result,
                 format fmt);

/// `verb` leads the text line: "killed ACTOR on NODE (detail)".
void render_ack(std::ostream& out, const vigil::admin_ack& ack,
                const std::string& verb, format fmt);

/// The services table (name, state, pid, ready, memory, since, restarts,
/// detail); ages against `now_unix_ms`.
void render_services(std::ostream& out, const std::vector<vigil::service_status>& services,
                     format fmt, int64_t now_unix_ms);

/// One service, after `service start|stop|restart|status`.
void render_service(std::ostream& out, const vigil::service_status& service, format fmt,
                    int64_t now_unix_ms);

/// Strings come from the network: control characters (terminal escapes,
/// newlines) become '?' in text output.
std::string printable(const std::string& text);

/// Rows as aligned columns, two spaces apart, no trailing blanks.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

/// An error for stderr: "vigilctl: ..." or {"error": "..."}.
void render_error(std::ostream& err, const std::string& message, format fmt);

/// One JSON document, indented; invalid UTF-8 from the network is replaced
/// rather than thrown about (the same in every command).
void print_json(std::ostream& out, const nlohmann::json& doc);
void print_json(std::ostream& out, const nlohmann::ordered_json& doc);

/// `why` rendered as an error (render_error); returns the exit code 1.
int fail(std::ostream& err, const std::string& why, bool as_json);

/// "12:04:05.123", UTC: timelines read in one clock.
std::string time_of_day(int64_t unix_ms);

/// "2026-12-07 08:04:05", local time: when an action ran.
std::string date_time(int64_t unix_ms);

/// "0.4s ago", "3m ago", ...; "never" for a zero timestamp.
std::string format_age(int64_t then_unix_ms, int64_t now_unix_ms);

} // namespace vigilctl
