// The service model: one file per deployment saying what each service of the
// stack is (its kind), how it is run, how it answers (health, readiness,
// metrics), what it depends on (a database with role and secret, an upstream
// with its fallback, a proxy), its volumes, logs and secrets. (Its config
// files are the services file's: the service manager keeps their history.)
// Probes and the dependency graph are derived from it (model_probes.hpp),
// so onboarding a stack is writing this file, not a list of checks per fault.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vigil {

/// What a component is; failure modes and derived probes follow from it.
enum class component_kind {
  http_service,   ///< An application answering HTTP (the shop's API).
  http_upstream,  ///< An HTTP service others call (pricing).
  http_proxy,     ///< Forwards HTTP to upstreams (nginx).
  tcp_proxy,      ///< Forwards TCP (a Postgres proxy or pooler).
  postgres,       ///< A PostgreSQL server.
  cache,          ///< A cache in front of a source.
};

/// The kind's name as the model file spells it; kind_from_name is its inverse.
const char* kind_name(component_kind kind);
std::optional<component_kind> kind_from_name(const std::string& name);

/// What may be done to a volume: data is never cleaned, ephemeral paths may
/// be, and paths marked never_touch are off limits to every tool.
enum class volume_use { data, ephemeral, never_touch };

const char* volume_use_name(volume_use use);

/// A piece of a service's model that becomes one probe: the probe fields the
/// model file gave (url, timings...), and where in the file they are.
struct probe_spec {
  nlohmann::json fields = nlohmann::json::object();
  std::string at;               ///< e.g. "services[3].health", for errors.
  bool present() const { return !at.empty(); }
};

/// A service this one calls. With `database` set it logs in to Postgres
/// (through `service`, which may be a proxy in front of the database).
struct dependency {
  std::string service;
  std::string database;         ///< Empty: not a database login.
  std::string role;
  std::string secret;           ///< A name in the model's secrets folder.
  std::string fallback;         ///< An upstream used when `service` fails.
  /// The table of records the app acknowledges to its users (orders,
  /// payments): rows of it that vanish are lost data ("$table").
  std::string ledger_table;
  nlohmann::json expects = nlohmann::json::array(); ///< SQL checks of the app's schema and data.
  std::string at;
};

struct volume {
  /// What the action plane calls it ("free_disk"'s volume); default
  /// "<service>-<use>" ("shopd-data"), unique in the model.
  std::string name;
  std::string path;             ///< Absolute.
  volume_use use = volume_use::data;
  nlohmann::json limits = nlohmann::json::object(); ///< Disk probe fields (min_free_mb...).
  std::string at;
};

struct log_file {
  std::string path;             ///< Absolute.
  std::string errors;           ///< A regular expression for an error line; empty: not watched.
  nlohmann::json fields = nlohmann::json::object(); ///< interval_ms, window_ms.
  std::string at;
};

struct modelled_service {
  std::string name;
  component_kind kind = component_kind::http_service;
  std::string run;              ///< The service manager's entry; empty: not run by Vigil.
  std::string address;          ///< HOST:PORT it listens on (proxies, databases).
  probe_spec health, ready, metrics, consistency;
  probe_spec process;           ///< Process probe fields (max_rss_mb...).
  probe_spec reach;             ///< Fields for the probe of its address (timings).
  std::vector<dependency> depends_on;
  std::vector<volume> volumes;
  std::vector<log_file> logs;
  std::vector<std::string> secrets;      ///< Names in the secrets folder.
};

struct service_model {
  std::string origin;           ///< The file, for errors.
  std::string folder;           ///< Its folder: relative paths in probe fields resolve here.
  std::string secrets_dir;      ///< Absolute; secrets are files named after them.
  std::string state_file;       ///< The service manager's state file (process probes).
  probe_spec host;              ///< The host's CPU probe; its "name" names the host.
  std::string host_name;
  std::vector<modelled_service> services;

  const modelled_service* find(const std::string& name) const;
  std::string secret_path(const std::string& secret) const;
  /// Who depends on whom, read backwards: service -> the services that call
  /// it (and the host -> every service on it: run by Vigil or listening on
  /// a loopback address).
  std::map<std::string, std::vector<std::string>> dependents() const;
};

/// The hops of a database login: the service named, then what each proxy
/// forwards to, down to the database (a service of kind postgres). A proxy
/// on the way that forwards to nothing is a config_error.
std::vector<const modelled_service*> login_hops(const service_model& m, const dependency& d);

/// Parses a model's text; relative paths resolve against `base_dir`; errors
/// (config_error) name `origin` and the field.
service_model parse_service_model(const std::string& text, const std::string& origin,
                                  const std::string& base_dir);
service_model load_service_model(const std::string& path);

} // namespace vigil
