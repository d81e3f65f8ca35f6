// The index in a real Postgres: sync writes, skips unchanged, removes gone
// files but keeps broken ones; postmortems live beside; search and look-up
// answer or fail with the right error, also while the store is down.
#define CAF_SUITE knowledge_store

#include <filesystem>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/knowledge/knowledge_store.hpp"
#include "tests/actors/knowledge/ops_store.hpp"
#include "tests/support/process.hpp"

using namespace vigil;
using namespace vigil::knowledge;
using namespace vigil::test;

namespace {

std::string runbook_text(const std::string& id, const std::string& title,
                         const std::string& symptoms) {
  nlohmann::json fm{
    {"id", id},
    {"title", title},
    {"root_cause", "some_cause"},
    {"symptoms", {{{"signal", "probe.x.status"}, {"is", "down"}, {"weight", 0.5}}}},
    {"steps",
     {{{"tool", "restart_service"},
       {"args", {{"service", "x"}}},
       {"risk", "low"},
       {"check", {{"signal", "probe.x.status"}, {"is", "ok"}}},
       {"rollback", {{"none", "nothing to undo"}}}}}},
    {"prevention", {"Watch it."}}};
  return "---\n" + fm.dump() + "\n---\n# " + title + "\n\n## Symptoms\n\n" + symptoms
         + "\n\n## Fix\n\nRestart it.\n";
}

/// The observability error a call fails with (none when it succeeds).
template <class F>
observability_error error_of(F&& f) {
  try {
    f();
    return observability_error::none;
  } catch (const knowledge_error& e) {
    return e.code();
  }
}

struct fixture {
  std::string dir = make_temp_dir("vigil-kb-store");
  std::string folder = dir + "/runbooks";
  knowledge_store store{fresh_ops_store()};

  fixture() {
    std::filesystem::create_directories(folder);
    write_file(folder + "/parrot.md",
               runbook_text("parrot-silent", "Parrot stopped talking",
                            "The parrot sits quietly and ignores crackers."));
    write_file(folder + "/kettle.md",
               runbook_text("kettle-cold", "Kettle never boils",
                            "Water stays cold, the kettle light is off, the fuse smells burnt."));
    write_file(folder + "/garden.md", "# Garden notes\n\nThe hose leaks near the tap.\n");
  }

  sync_report sync() { return store.sync(load_library({folder})); }

  std::vector<std::string> ids_for(const std::string& text) {
    std::vector<std::string> ids;
    for (auto& hit : store.search(text, 10))
      ids.push_back(hit.id);
    return ids;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(knowledge_store_tests, fixture)

CAF_TEST(sync writes new documents and skips unchanged ones) {
  auto first = sync();
  CAF_CHECK_EQUAL(first.written, 3u);
  CAF_CHECK_EQUAL(first.unchanged, 0u);
  CAF_CHECK_EQUAL(first.removed, 0u);
  auto again = sync();
  CAF_CHECK_EQUAL(again.written, 0u);
  CAF_CHECK_EQUAL(again.unchanged, 3u);
  auto doc = store.get("parrot-silent");
  CAF_CHECK_EQUAL(doc.kind, "runbook");
  CAF_CHECK_EQUAL(doc.title, "Parrot stopped talking");
  CAF_CHECK_EQUAL(doc.root_cause, "some_cause");
  CAF_CHECK_EQUAL(doc.path, folder + "/parrot.md");
  CAF_CHECK(doc.body.find("ignores crackers") != std::string::npos);
  auto meta = nlohmann::json::parse(doc.meta);
  CAF_CHECK_EQUAL(meta["steps"][0]["tool"].get<std::string>(), "restart_service");
  auto garden = store.get("garden");
  CAF_CHECK_EQUAL(garden.kind, "doc");
  CAF_CHECK_EQUAL(garden.title, "Garden notes");
}

CAF_TEST(an edited file is rewritten and searched by its new text) {
  sync();
  CAF_CHECK_EQUAL(ids_for("crackers"), std::vector<std::string>{"parrot-silent"});
  write_file(folder + "/parrot.md",
             runbook_text("parrot-silent", "Parrot stopped talking",
                          "The parrot sits quietly and refuses sunflower seeds."));
  auto report = sync();
  CAF_CHECK_EQUAL(report.written, 1u);
  CAF_CHECK_EQUAL(report.unchanged, 2u);
  CAF_CHECK(ids_for("crackers").empty());
  CAF_CHECK_EQUAL(ids_for("sunflower seeds"), std::vector<std::string>{"parrot-silent"});
}

CAF_TEST(a deleted file is removed but a broken one keeps its last good version) {
  sync();
  std::filesystem::remove(folder + "/kettle.md");
  write_file(folder + "/parrot.md", "---\n{\"id\": \"parrot-silent\",}\n---\nbroken\n");
  auto lib = load_library({folder});
  CAF_CHECK_EQUAL(lib.errors.size(), 1u);
  auto report = store.sync(lib);
  CAF_CHECK_EQUAL(report.removed, 1u);
  CAF_CHECK_EQUAL(error_of([&] { store.get("kettle-cold"); }),
                  observability_error::unknown_runbook);
  CAF_CHECK_EQUAL(store.get("parrot-silent").title, "Parrot stopped talking");
  // A folder that vanished keeps its documents too (likely a slip).
  std::filesystem::rename(folder, dir + "/moved-away");
  auto gone = store.sync(load_library({folder}));
  CAF_CHECK_EQUAL(gone.removed, 0u);
  CAF_CHECK_EQUAL(store.get("parrot-silent").title, "Parrot stopped talking");
}

CAF_TEST(postmortems are searchable and survive syncs) {
  sync();
  postmortem pm;
  pm.incident_id = "inc-7";
  pm.title = "Parrot silent for an hour";
  pm.root_cause = "some_cause";
  pm.symptoms = "Parrot ignored crackers and the vet was called.";
  pm.body = "## Timeline\n\nThe cage cover was left on.\n";
  pm.meta = R"({"runbook": "parrot-silent", "resolved": true})";
  CAF_CHECK_EQUAL(store.index_postmortem(pm), "postmortem/inc-7");
  auto hits = store.search("vet cage cover", 5);
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits[0].id, "postmortem/inc-7");
  CAF_CHECK_EQUAL(hits[0].kind, "postmortem");
  CAF_CHECK_EQUAL(sync().removed, 0u);
  CAF_CHECK_EQUAL(store.get("postmortem/inc-7").kind, "postmortem");
  CAF_CHECK_EQUAL(error_of([&] { store.index_postmortem(postmortem{}); }),
                  observability_error::bad_query);
}

CAF_TEST(search ranks any matching words and marks them in the passage) {
  sync();
  // Not every word is in the runbook: the words are OR-ed, not AND-ed.
  auto hits = store.search("my kettle will not boil, something smells burnt, coffee delayed", 10);
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits[0].id, "kettle-cold");
  CAF_CHECK_EQUAL(hits[0].kind, "runbook");
  CAF_CHECK_EQUAL(hits[0].root_cause, "some_cause");
  CAF_CHECK_GREATER(hits[0].rank, 0.0);
  CAF_CHECK(hits[0].passage.find("**") != std::string::npos);
  CAF_CHECK(hits[0].passage.find('\n') == std::string::npos);
  for (size_t i = 1; i < hits.size(); ++i)
    CAF_CHECK_GREATER_OR_EQUAL(hits[i - 1].rank, hits[i].rank);
  CAF_CHECK_EQUAL(store.search("parrot kettle hose", 2).size(), 2u);
  CAF_CHECK(store.search("zebra xylophone", 10).empty());
  // Punctuation and quotes cannot break the query.
  auto odd = store.search("'kettle' & | ! (boil) \\ :* <->", 10);
  CAF_REQUIRE(!odd.empty());
  CAF_CHECK_EQUAL(odd[0].id, "kettle-cold");
}

CAF_TEST(unusable search text and ids are bad queries) {
  sync();
  CAF_CHECK_EQUAL(error_of([&] { store.search("", 5); }), observability_error::bad_query);
  CAF_CHECK_EQUAL(error_of([&] { store.search("  \n\t", 5); }), observability_error::bad_query);
  CAF_CHECK_EQUAL(error_of([&] { store.search("the of and", 5); }),
                  observability_error::bad_query);
  CAF_CHECK_EQUAL(error_of([&] { store.search(std::string(5000, 'a'), 5); }),
                  observability_error::bad_query);
  CAF_CHECK_EQUAL(error_of([&] { store.get(""); }), observability_error::bad_query);
  CAF_CHECK_EQUAL(error_of([&] { store.get("nope"); }), observability_error::unknown_runbook);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(an unreachable store is store_unavailable for every call) {
  knowledge_store store{unreachable_ops_store()};
  CAF_CHECK_EQUAL(error_of([&] { store.search("kettle", 5); }),
                  observability_error::store_unavailable);
  CAF_CHECK_EQUAL(error_of([&] { store.get("kettle-cold"); }),
                  observability_error::store_unavailable);
  CAF_CHECK_EQUAL(error_of([&] { store.sync(library{}); }),
                  observability_error::store_unavailable);
  // Bad input is still bad input, even with the store away.
  CAF_CHECK_EQUAL(error_of([&] { store.search(" ", 5); }), observability_error::bad_query);
}

CAF_TEST(a store that restarts is used again without a new store object) {
  test_postgres pg{"shop"};
  pg.psql("CREATE DATABASE vigil", "postgres");
  knowledge_store store{"host=" + pg.dir() + " port=" + std::to_string(pg.port())
                        + " dbname=vigil user=postgres connect_timeout=3"};
  auto dir = make_temp_dir("vigil-kb-restart");
  write_file(dir + "/a.md", runbook_text("kettle-cold", "Kettle never boils", "Water stays cold."));
  store.sync(load_library({dir}));
  CAF_CHECK_EQUAL(store.search("kettle", 5).size(), 1u);
  pg.stop();
  CAF_CHECK_EQUAL(error_of([&] { store.search("kettle", 5); }),
                  observability_error::store_unavailable);
  pg.start();
  CAF_CHECK_EQUAL(store.search("kettle", 5).size(), 1u);
}
