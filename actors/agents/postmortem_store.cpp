#include "actors/agents/postmortem_store.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

#include "actors/store/migrate.hpp"

namespace vigil::agents {

namespace {

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

} // namespace

postmortem_store::postmortem_store(std::string dsn) : dsn_(std::move(dsn)) {
  // nop
}

void postmortem_store::save(const stored_postmortem& pm) {
  try {
    if (!migrated_) {
      store::migrate(dsn_);
      migrated_ = true;
    }
    // A postmortem is written once per closed incident: a connection each time is cheap enough.
    pqxx::connection db{dsn_};
    pqxx::work tx{db};
    tx.exec_params(
      "INSERT INTO postmortems (incident, title, state, root_cause, path, markdown, doc)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
      " ON CONFLICT (incident) DO UPDATE SET title = EXCLUDED.title, state = EXCLUDED.state,"
      " root_cause = EXCLUDED.root_cause, path = EXCLUDED.path, markdown = EXCLUDED.markdown,"
      " doc = EXCLUDED.doc, written_at = now()",
      pm.incident, pm.title, pm.state, pm.root_cause, pm.path, pm.markdown, pm.doc);
    tx.commit();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot store the postmortem of " + pm.incident + ": "
                             + first_line(e.what()));
  }
}

std::optional<stored_postmortem> postmortem_store::find(const std::string& incident) {
  try {
    if (!migrated_) {
      store::migrate(dsn_);
      migrated_ = true;
    }
    pqxx::connection db{dsn_};
    pqxx::read_transaction tx{db};
    auto rows = tx.exec_params("SELECT incident, title, state, root_cause, path, markdown,"
                               " doc::text FROM postmortems WHERE incident = $1",
                               incident);
    if (rows.empty())
      return std::nullopt;
    auto row = rows[0];
    return stored_postmortem{row[0].as<std::string>(), row[1].as<std::string>(),
                             row[2].as<std::string>(), row[3].as<std::string>(),
                             row[4].as<std::string>(), row[5].as<std::string>(),
                             row[6].as<std::string>()};
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read the postmortem of " + incident + ": "
                             + first_line(e.what()));
  }
}

} // namespace vigil::agents
