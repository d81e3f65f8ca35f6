#include "actors/knowledge/knowledge_store.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include <pqxx/pqxx>

#include "actors/store/migrate.hpp"

namespace vigil::knowledge {

namespace {

constexpr size_t max_search_text = 4000;
constexpr uint32_t default_limit = 10;
constexpr uint32_t max_limit = 100;

// Weights for {D, C, B, A}: steps, body, symptoms, title and root cause.
// ts_rank, not ts_rank_cd: with an OR query every occurrence of any word is
// a cover for ts_rank_cd, so documents that repeat common words ("db",
// "connection") win; ts_rank rewards matching more of the description's
// distinct words, which is what tells neighbouring runbooks apart.
// Normalisation 1 divides by 1 + log(length): a long doc does not win on size.
constexpr const char* rank_expression
  = "ts_rank('{0.05, 0.2, 0.5, 1.0}', search, $1::tsquery, 1)";

// Stack docs explain; runbooks and postmortems say what to do. For a symptom
// description the latter should come first when they match about as well.
constexpr double doc_rank_factor = 0.8;

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

/// FNV-1a over the fields: stable across runs and builds, unlike std::hash.
std::string content_hash(const knowledge_entry& e) {
  uint64_t h = 1469598103934665603ull;
  for (auto* field : {&e.kind, &e.title, &e.root_cause, &e.symptoms, &e.steps, &e.body, &e.path,
                      &e.meta}) {
    for (unsigned char c : *field) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff; // field separator
    h *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

/// The passage as one line: ts_headline keeps the Markdown's line breaks.
std::string one_line(const std::string& text) {
  std::string result;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !result.empty();
      continue;
    }
    if (space)
      result += ' ';
    space = false;
    result += c;
  }
  return result;
}

void upsert(pqxx::work& tx, const knowledge_entry& e, size_t& written, size_t& unchanged) {
  auto r = tx.exec_params(
    "INSERT INTO knowledge_docs (id, kind, title, root_cause, symptoms, steps, body, path, meta,"
    " content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)"
    " ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title,"
    " root_cause = EXCLUDED.root_cause, symptoms = EXCLUDED.symptoms, steps = EXCLUDED.steps,"
    " body = EXCLUDED.body, path = EXCLUDED.path, meta = EXCLUDED.meta,"
    " content_hash = EXCLUDED.content_hash, indexed_at = now()"
    " WHERE knowledge_docs.content_hash <> EXCLUDED.content_hash",
    e.id, e.kind, e.title, e.root_cause, e.symptoms, e.steps, e.body, e.path, e.meta,
    content_hash(e));
  (r.affected_rows() > 0 ? written : unchanged) += 1;
}

bool under_any(const std::string& path, const std::vector<std::string>& places) {
  return std::any_of(places.begin(), places.end(), [&](const std::string& p) {
    return path == p || (path.size() > p.size() && path.compare(0, p.size(), p) == 0
                         && (p.back() == '/' || path[p.size()] == '/'));
  });
}

} // namespace

struct knowledge_store::impl {
  std::string dsn;
  bool migrated = false;
  std::unique_ptr<pqxx::connection> conn;

  pqxx::connection& connection() {
    if (!conn) {
      if (!migrated) {
        try {
          store::migrate(dsn);
        } catch (const std::exception& e) {
          throw knowledge_error(observability_error::store_unavailable,
                                "ops store unavailable: " + first_line(e.what()));
        }
        migrated = true;
      }
      conn = std::make_unique<pqxx::connection>(dsn);
    }
    return *conn;
  }

  /// Runs `f` on the connection. A cached connection that broke (the ops
  /// store restarted since) is replaced and `f` tried once more; any other
  /// failure of the store becomes store_unavailable.
  template <class F>
  auto run(F&& f) {
    for (int attempt = 0;; ++attempt) {
      bool cached = conn != nullptr;
      try {
        return f(connection());
      } catch (const knowledge_error&) {
        throw;
      } catch (const pqxx::broken_connection& e) {
        conn.reset();
        if (cached && attempt == 0)
          continue;
        throw knowledge_error(observability_error::store_unavailable,
                              "ops store unreachable: " + first_line(e.what()));
      } catch (const std::exception& e) {
        conn.reset();
        throw knowledge_error(observability_error::store_unavailable,
                              "ops store failed: " + first_line(e.what()));
      }
    }
  }
};

void check_search_text(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw knowledge_error(observability_error::bad_query, "empty search text");
  if (text.size() > max_search_text)
    throw knowledge_error(observability_error::bad_query,
                          "search text longer than " + std::to_string(max_search_text)
                            + " characters");
}

knowledge_store::knowledge_store(std::string dsn) : impl_(std::make_unique<impl>()) {
  impl_->dsn = std::move(dsn);
}

knowledge_store::~knowledge_store() = default;

sync_report knowledge_store::sync(const library& lib) {
  return impl_->run([&](pqxx::connection& db) {
    sync_report report;
    pqxx::work tx{db};
    std::set<std::string> loaded;
    for (auto& e : lib.entries) {
      upsert(tx, e, report.written, report.unchanged);
      loaded.insert(e.id);
    }
    auto rows = tx.exec("SELECT id, path FROM knowledge_docs WHERE kind IN ('runbook', 'doc')");
    for (auto row : rows) {
      auto id = row[0].as<std::string>();
      if (loaded.count(id) != 0 || under_any(row[1].as<std::string>(), lib.unreadable))
        continue;
      tx.exec_params("DELETE FROM knowledge_docs WHERE id = $1", id);
      ++report.removed;
    }
    tx.commit();
    return report;
  });
}

std::string knowledge_store::index_postmortem(const postmortem& pm) {
  if (pm.incident_id.empty() || pm.title.empty() || pm.body.empty())
    throw knowledge_error(observability_error::bad_query,
                          "a postmortem needs an incident id, a title and a body");
  knowledge_entry e;
  e.id = "postmortem/" + pm.incident_id;
  e.kind = "postmortem";
  e.title = pm.title;
  e.root_cause = pm.root_cause;
  e.symptoms = pm.symptoms;
  e.body = pm.body;
  e.meta = pm.meta.empty() ? "{}" : pm.meta;
  return impl_->run([&](pqxx::connection& db) {
    pqxx::work tx{db};
    size_t written = 0, unchanged = 0;
    upsert(tx, e, written, unchanged);
    tx.commit();
    return e.id;
  });
}

std::vector<knowledge_hit> knowledge_store::search(const std::string& text, uint32_t limit) {
  check_search_text(text);
  limit = limit == 0 ? default_limit : std::min(limit, max_limit);
  return impl_->run([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    // A symptom description rarely has every word of a runbook, so any of its
    // words may match (OR); ranking sorts out the best. The lexemes are quoted
    // as tsquery literals so punctuation in them cannot break the query.
    auto query = tx.exec_params1(
      "SELECT array_to_string(ARRAY(SELECT '''' || replace(replace(lexeme, '\\', '\\\\'),"
      " '''', '''''') || '''' FROM unnest(tsvector_to_array("
      " to_tsvector('english', translate($1, '/', ' ')))) AS lexeme), ' | ')",
      text)[0].as<std::string>();
    if (query.empty())
      throw knowledge_error(observability_error::bad_query,
                            "no searchable words in \"" + first_line(text).substr(0, 80) + "\"");
    auto rows = tx.exec_params(
      std::string{"SELECT id, kind, title, root_cause, rank,"
                  " ts_headline('english', passage_source, $1::tsquery,"
                  " 'StartSel=**, StopSel=**, MaxWords=25, MinWords=10, MaxFragments=2,"
                  " FragmentDelimiter=\" … \"') FROM ("
                  // The passage comes from the symptoms when they match (what the
                  // searcher describes), else from the body; without Markdown's own
                  // ** marks, which would collide with the highlighting.
                  " SELECT *, replace(CASE WHEN to_tsvector('english',"
                  " translate(symptoms, '/', ' ')) @@ $1::tsquery THEN symptoms ELSE body END,"
                  " '**', '') AS passage_source, "}
        + rank_expression + " * CASE kind WHEN 'doc' THEN "
        + std::to_string(doc_rank_factor) + " ELSE 1 END AS rank"
        + " FROM knowledge_docs WHERE search @@ $1::tsquery"
          " ORDER BY rank DESC, id LIMIT $2) AS best ORDER BY rank DESC, id",
      query, limit);
    std::vector<knowledge_hit> hits;
    for (auto row : rows) {
      knowledge_hit hit;
      hit.id = row[0].as<std::string>();
      hit.kind = row[1].as<std::string>();
      hit.title = row[2].as<std::string>();
      hit.root_cause = row[3].as<std::string>();
      hit.rank = row[4].as<double>();
      hit.passage = one_line(row[5].as<std::string>());
      hits.push_back(std::move(hit));
    }
    return hits;
  });
}

knowledge_doc knowledge_store::get(const std::string& id) {
  if (id.empty())
    throw knowledge_error(observability_error::bad_query, "empty document id");
  return impl_->run([&](pqxx::connection& db) {
    pqxx::read_transaction tx{db};
    auto rows = tx.exec_params(
      "SELECT id, kind, title, root_cause, path, meta::text, body FROM knowledge_docs"
      " WHERE id = $1", id);
    if (rows.empty())
      throw knowledge_error(observability_error::unknown_runbook,
                            "no runbook, doc or postmortem with id \"" + id + "\"");
    auto row = rows[0];
    knowledge_doc doc;
    doc.id = row[0].as<std::string>();
    doc.kind = row[1].as<std::string>();
    doc.title = row[2].as<std::string>();
    doc.root_cause = row[3].as<std::string>();
    doc.path = row[4].as<std::string>();
    doc.meta = row[5].as<std::string>();
    doc.body = row[6].as<std::string>();
    return doc;
  });
}

} // namespace vigil::knowledge
